"""Pet-store API, release served by this bundle: GET /health, GET /pets, GET /pets/{id}, POST /orders."""

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from petstore import catalog
from petstore.clock import utc_timestamp
from petstore.errors import register_error_handlers
from petstore.models import (
    HealthResponse,
    OrderRequest,
    PetCategory,
    PetResponse,
    PetsResponse,
    PetStatus,
)
from petstore.orders import place_order
from petstore.request_body import read_json_object
from petstore.settings import load_release

RELEASE = load_release()  # fails the cold start, not a request, when the stack forgot APP_COLOR/APP_VERSION

logger = Logger()
tracer = Tracer()
metrics = Metrics()
metrics.set_default_dimensions(environment=RELEASE.color)
app = APIGatewayRestResolver(enable_validation=True)
register_error_handlers(app, logger)


@app.get("/health")
def health() -> dict[str, Any]:
    response = HealthResponse(environment=RELEASE.color, version=RELEASE.version, timestamp=utc_timestamp())
    return response.model_dump(mode="json")


@app.get("/pets")
def list_pets(
    status: Annotated[PetStatus | None, Query(description="Only pets with this status")] = None,
    category: Annotated[PetCategory | None, Query(description="Only pets of this category")] = None,
) -> dict[str, Any]:
    pets = catalog.filter_pets(status=status, category=category)
    response = PetsResponse(environment=RELEASE.color, version=RELEASE.version, pets=pets)
    return response.model_dump(mode="json")


@app.get("/pets/<pet_id>")
def get_pet(pet_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> dict[str, Any]:
    pet = catalog.find_pet(pet_id)
    if pet is None:
        raise NotFoundError(f"Pet {pet_id} not found")
    response = PetResponse(environment=RELEASE.color, version=RELEASE.version, pet=pet)
    return response.model_dump(mode="json")


@app.post("/orders", status_code=201)
def create_order() -> dict[str, Any]:
    request = OrderRequest.model_validate(read_json_object(app.current_event))
    order = place_order(request, RELEASE)
    metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
    logger.info(
        "Order placed", extra={"pet_id": order.data.id, "confirmation_number": order.confirmation_number}
    )
    return order.model_dump(mode="json", by_alias=True)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
# Routes are not wrapped in capture_method: it logs every exception passing through, and client errors
# (whose pydantic messages quote the request) are ordinary answers here. Responses stay out of traces.
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

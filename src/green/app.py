"""Pet-store API, release served by this bundle: GET /health, GET /pets, GET /pets/{id}, POST /orders,
GET /orders/{number}.

The Powertools app is the one source of the HTTP contract: its routes dispatch requests, type and
validate bodies and answers, derive 405 and Allow, and generate the OpenAPI document.

Tracing: Lambda active tracing and API Gateway tracing record every request's segments without an SDK
in the bundle; logs carry the X-Ray trace id (Logger's xray_trace_id) to join them. The bundle does not
carry the X-Ray SDK, which would import botocore at every cold start for subsegments nobody reads.
"""

# First: it defers what the libraries below import at load and never use, and pauses the collector
# until finish() below (petstore/cold_start.py).
import petstore.cold_start

# isort: split
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from petstore import catalog, orders
from petstore.clock import utc_timestamp
from petstore.compact_json import compact_json
from petstore.emf import CompactEMFProvider
from petstore.errors import register_error_handlers
from petstore.idempotency import KEY_PATTERN, IdempotentOrders
from petstore.models import (
    CONFIRMATION_NUMBER_PATTERN,
    HealthResponse,
    Order,
    OrderRequest,
    PetCategory,
    PetResponse,
    PetsResponse,
    PetStatus,
)
from petstore.request_validation import use_strict_json
from petstore.responses import build_responses_reading_headers_on_demand
from petstore.settings import load_release, load_tables
from petstore.store import DynamoDBOrderStore, OrderStore, new_dynamodb_client

if TYPE_CHECKING:  # a type only: the module is not imported at cold start
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb import DynamoDBClient

# Fail the cold start, not a request, when the stack forgot a variable.
RELEASE = load_release()
TABLES = load_tables()

logger = Logger()
# Bodies and EMF lines are written by pydantic-core, not json.dumps: an eighth of a warm order (compact_json).
metrics = Metrics(provider=CompactEMFProvider())
metrics.set_default_dimensions(environment=RELEASE.color)
app = APIGatewayRestResolver(enable_validation=True, serializer=compact_json)
use_strict_json(app)
build_responses_reading_headers_on_demand(app)


@cache
def dynamodb_client() -> "DynamoDBClient":
    """The order path's one client, for the orders table and the idempotency records: the switch's warm-up
    reads an order, which makes it, and a user's first keyed order then finds it ready."""
    return new_dynamodb_client()


@cache
def order_store() -> OrderStore:
    return DynamoDBOrderStore(TABLES.orders, dynamodb_client)


@cache
def idempotent_orders() -> IdempotentOrders:
    return IdempotentOrders(TABLES.idempotency, dynamodb_client)


@app.get("/health", operation_id="getHealth")
def health() -> HealthResponse:
    return HealthResponse(environment=RELEASE.color, version=RELEASE.version, timestamp=utc_timestamp())


@app.get("/pets", operation_id="listPets")
def list_pets(
    status: Annotated[PetStatus | None, Query(description="Only pets with this status")] = None,
    category: Annotated[PetCategory | None, Query(description="Only pets of this category")] = None,
) -> PetsResponse:
    pets = catalog.filter_pets(status=status, category=category)
    return PetsResponse(environment=RELEASE.color, version=RELEASE.version, pets=pets)


@app.get("/pets/<pet_id>", operation_id="getPet")
def get_pet(pet_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> PetResponse:
    pet = catalog.find_pet(pet_id)
    if pet is None:
        raise NotFoundError(f"Pet {pet_id} not found")
    return PetResponse(environment=RELEASE.color, version=RELEASE.version, pet=pet)


@app.post("/orders", status_code=201, operation_id="createOrder")
def create_order(
    request: OrderRequest,
    idempotency_key: Annotated[
        str | None,
        Header(pattern=KEY_PATTERN, description="A retry with the same key and body gets the first answer"),
    ] = None,
    x_synthetic_order: Annotated[
        bool, Header(description="true marks a check's order (the switch's data gate), not a sale")
    ] = False,
) -> Order:
    synthetic = x_synthetic_order

    def place() -> Order:
        order = orders.place_order(request, RELEASE, order_store(), synthetic=synthetic)
        # Synthetic orders (the switch's data gate) are counted apart from the business figure. The
        # metric's log line (EMF) also records which order it counts: one log line per order, not two.
        metric = "SyntheticOrdersPlaced" if synthetic else "OrdersPlaced"
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        metrics.add_metadata(key="confirmation_number", value=order.confirmation_number)
        metrics.add_metadata(key="pet_id", value=order.data.id)
        return order

    if idempotency_key is None:
        return place()
    answer = idempotent_orders().place_once(
        idempotency_key,
        request.model_dump(exclude_none=True),
        app.lambda_context,
        lambda: place().model_dump(mode="json"),
    )
    return Order.model_validate(answer)


@app.get("/orders/<confirmation_number>", operation_id="getOrder")
def get_order(
    confirmation_number: Annotated[str, Path(pattern=CONFIRMATION_NUMBER_PATTERN)],
) -> Order:
    return orders.find_order(confirmation_number, order_store())


register_error_handlers(app, logger)  # after the routes: 405 and Allow are read from them


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, Any]:
    logger.set_correlation_id(api_gateway_request_id(event))
    return app.resolve(event, context)


def api_gateway_request_id(event: dict[str, Any]) -> str | None:
    """The id API Gateway gave the request: joins its log lines, as correlation_paths.API_GATEWAY_REST.

    Read directly: Logger's correlation_id_path runs a JMESPath query, a tenth of a warm request.
    """
    request_context = event.get("requestContext")
    return request_context.get("requestId") if isinstance(request_context, dict) else None


petstore.cold_start.finish()  # last: the import is done

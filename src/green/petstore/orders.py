"""Placing an order for a pet: the business rules, independent of HTTP."""

import secrets

from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError

from petstore import catalog
from petstore.clock import utc_timestamp
from petstore.models import OrderedPet, OrderRequest, OrderResponse, PetStatus
from petstore.settings import Release


class PetNameMismatchError(ServiceError):
    """The id exists but the name sent is not that pet's: refuse rather than guess which one was meant."""

    def __init__(self, msg: str):
        super().__init__(422, msg)


class PetUnavailableError(ServiceError):
    def __init__(self, msg: str):
        super().__init__(409, msg)


def new_confirmation_number() -> str:
    return "ORD-" + secrets.token_hex(4).upper()


def place_order(request: OrderRequest, release: Release) -> OrderResponse:
    """Check, in order: the pet exists (404), the name is that pet's (422), the pet is available (409)."""
    pet = catalog.find_pet(request.id)
    if pet is None:
        raise NotFoundError(f"Pet {request.id} not found")
    if request.name != pet.name:
        raise PetNameMismatchError(f"Pet {pet.id} is not named as in the order; its name is {pet.name}")
    if pet.status is not PetStatus.AVAILABLE:
        raise PetUnavailableError(f"Pet {pet.id} ({pet.name}) is not available; its status is {pet.status}")
    return OrderResponse(
        environment=release.color,
        version=release.version,
        confirmation_number=new_confirmation_number(),
        timestamp=utc_timestamp(),
        data=OrderedPet(id=pet.id, name=pet.name),
    )

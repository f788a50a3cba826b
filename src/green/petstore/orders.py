"""Placing and finding orders: the business rules, independent of HTTP."""

import os

from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError

from petstore import catalog
from petstore.clock import utc_timestamp
from petstore.models import Order, OrderedPet, OrderRequest, PetStatus
from petstore.settings import Release
from petstore.store import OrderExistsError, OrderStore

# A new number per attempt: 32 random bits make a clash rare, the conditional write makes it harmless.
_NUMBER_ATTEMPTS = 3


class PetNameMismatchError(ServiceError):
    """The id exists but the name sent is not that pet's: refuse rather than guess which one was meant."""

    def __init__(self, msg: str):
        super().__init__(422, msg)


class PetUnavailableError(ServiceError):
    def __init__(self, msg: str):
        super().__init__(409, msg)


def new_confirmation_number() -> str:
    # os.urandom is what secrets.token_hex reads; importing secrets (hashlib, hmac) costs the cold start.
    return "ORD-" + os.urandom(4).hex().upper()


def check_order(request: OrderRequest) -> OrderedPet:
    """Check, in order: the pet exists (404), the name is that pet's (422), the pet is available (409)."""
    pet = catalog.find_pet(request.id)
    if pet is None:
        raise NotFoundError(f"Pet {request.id} not found")
    if request.name != pet.name:
        raise PetNameMismatchError(f"Pet {pet.id} is not named as in the order; its name is {pet.name}")
    if pet.status is not PetStatus.AVAILABLE:
        raise PetUnavailableError(f"Pet {pet.id} ({pet.name}) is not available; its status is {pet.status}")
    return OrderedPet(id=pet.id, name=pet.name)


def place_order(
    request: OrderRequest, release: Release, store: OrderStore, *, synthetic: bool = False
) -> Order:
    """Store a new order for the pet under a confirmation number no other order has."""
    ordered = check_order(request)
    # What the request carries beyond the pet (a release may add such fields) goes with the order.
    details = request.model_dump(exclude={"id", "name"}, exclude_none=True)
    for _ in range(_NUMBER_ATTEMPTS):
        order = Order(
            environment=release.color,
            version=release.version,
            confirmation_number=new_confirmation_number(),
            timestamp=utc_timestamp(),
            data=ordered,
            **details,
        )
        try:
            store.put_new(order.model_dump(mode="json"), synthetic=synthetic)
        except OrderExistsError:
            continue
        return order
    raise RuntimeError(f"no free confirmation number after {_NUMBER_ATTEMPTS} attempts")


def find_order(confirmation_number: str, store: OrderStore) -> Order:
    document = store.get(confirmation_number)
    if document is None:
        raise NotFoundError(f"Order {confirmation_number} not found")
    return Order.model_validate(document)

"""Request and response shapes of the pet-store API: the routes' types and the OpenAPI schemas."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# Ids are int64 in the API documents; anything larger cannot name a pet.
PetId = Annotated[int, Field(ge=1, le=2**63 - 1)]
CONFIRMATION_NUMBER_PATTERN = r"^ORD-[0-9A-F]{8}$"
ConfirmationNumber = Annotated[str, Field(pattern=CONFIRMATION_NUMBER_PATTERN)]
Environment = Literal["blue", "green"]


class PetStatus(StrEnum):
    AVAILABLE = "available"
    PENDING = "pending"
    SOLD = "sold"


class PetCategory(StrEnum):
    DOG = "dog"
    CAT = "cat"
    BIRD = "bird"
    RABBIT = "rabbit"
    FISH = "fish"


class Pet(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: PetId
    name: str
    category: PetCategory
    status: PetStatus


class OrderRequest(BaseModel):
    """Body of POST /orders. Strict: "1" is not an id, true is not an int, unknown fields are refused."""

    model_config = ConfigDict(strict=True, extra="forbid")

    id: PetId
    name: Annotated[str, Field(min_length=1, max_length=100)]
    note: Annotated[str | None, Field(min_length=1, max_length=200)] = None


class OrderedPet(BaseModel):
    id: PetId
    name: str
    status: Literal["ordered"] = "ordered"


class ReleaseInfo(BaseModel):
    environment: Environment
    version: str


class HealthResponse(ReleaseInfo):
    status: Literal["healthy"] = "healthy"
    timestamp: str


class PetsResponse(ReleaseInfo):
    pets: list[Pet]


def _is_absent(value: object) -> bool:
    return value is None


class Order(ReleaseInfo):
    """An order as placed and as stored; environment and version name the release that placed it.

    Attributes a later release adds are optional and ignored by earlier ones (extra="ignore"), so each
    release reads every other release's orders: add attributes, never rename or remove one.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)

    confirmation_number: ConfirmationNumber = Field(alias="confirmationNumber")
    timestamp: str
    data: OrderedPet
    # Added in v2.0.0: v1 ignores it in the orders v2 places. An order without a note answers exactly as
    # v1 does: no `note` field rather than null.
    note: str | None = Field(default=None, exclude_if=_is_absent)


class PetResponse(ReleaseInfo):
    pet: Pet

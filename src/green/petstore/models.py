"""Request and response shapes of the pet-store API."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Ids are int64 in the API documents; anything larger cannot name a pet.
PetId = Annotated[int, Field(ge=1, le=2**63 - 1)]


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

    id: int
    name: str
    category: PetCategory
    status: PetStatus


class OrderRequest(BaseModel):
    """Body of POST /orders. Strict: "1" is not an id, true is not an int, unknown fields are refused."""

    model_config = ConfigDict(strict=True, extra="forbid")

    id: PetId
    name: Annotated[str, Field(min_length=1, max_length=100)]


class OrderedPet(BaseModel):
    id: int
    name: str
    status: str = "ordered"


class ReleaseInfo(BaseModel):
    environment: str
    version: str


class HealthResponse(ReleaseInfo):
    status: str = "healthy"
    timestamp: str


class PetsResponse(ReleaseInfo):
    pets: list[Pet]


class PetResponse(ReleaseInfo):
    pet: Pet


class OrderResponse(ReleaseInfo):
    confirmation_number: str = Field(serialization_alias="confirmationNumber")
    timestamp: str
    data: OrderedPet

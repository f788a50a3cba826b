"""The pets this release sells.

One catalog across releases: a later release may add pets, never rename or remove one, or an order a
client prepared against the live release fails on the next one.
"""

from petstore.models import Pet, PetCategory, PetStatus

PETS: tuple[Pet, ...] = (
    Pet(id=1, name="Buddy", category=PetCategory.DOG, status=PetStatus.AVAILABLE),
    Pet(id=2, name="Whiskers", category=PetCategory.CAT, status=PetStatus.AVAILABLE),
    Pet(id=3, name="Charlie", category=PetCategory.BIRD, status=PetStatus.PENDING),
)

_BY_ID = {pet.id: pet for pet in PETS}


def all_pets() -> list[Pet]:
    return list(PETS)


def find_pet(pet_id: int) -> Pet | None:
    return _BY_ID.get(pet_id)

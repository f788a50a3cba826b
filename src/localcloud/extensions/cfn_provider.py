"""The base class of every CloudFormation resource type the local cloud adds, and their registration.

A provider subclasses `ResourceProvider`, not moto's `CloudFormationModel` directly: moto discovers resource
types through `CloudFormationModel.__subclasses__()` (direct subclasses only), so the providers become
visible to moto's stack engine only through the registered patch below, which can be listed and undone.
"""

import functools
from typing import Any

from localcloud.patches import Patch, register

from ._moto import CloudFormationModel, UnformattedGetAttTemplateException, parsing


class ResourceProvider(CloudFormationModel):  # type: ignore[misc]
    """Shared plumbing: where the resource lives, its attributes, and that it exists once created."""

    ATTRIBUTES: frozenset[str] = frozenset()  # the names Fn::GetAtt accepts

    def __init__(self, account_id: str, region_name: str) -> None:
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return ""  # the base itself is no resource type

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def attribute(self, name: str) -> Any:
        raise UnformattedGetAttTemplateException()

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attribute(attribute_name)

    def is_created(self) -> bool:
        return True


def provider_types() -> list[type[ResourceProvider]]:
    """Every concrete provider imported so far (subclasses of subclasses included)."""
    found: list[type[ResourceProvider]] = []
    pending = list(ResourceProvider.__subclasses__())
    while pending:
        cls = pending.pop(0)
        if cls.cloudformation_type():
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def refresh_model_map() -> None:
    """moto caches its model list and maps on first use; a change of types needs fresh caches."""
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def _with_providers(original: Any) -> Any:
    @functools.lru_cache
    def get_model_list() -> list[Any]:
        # Providers come last, so a provider of a type moto also models takes its place.
        return [model for model in original() if model is not ResourceProvider] + provider_types()

    return get_model_list


register(
    __name__,
    Patch(
        parsing,
        "get_model_list",
        "moto's stack engine sees the resource types the local cloud provides",
        wrap=_with_providers,
        after=refresh_model_map,
    ),
)

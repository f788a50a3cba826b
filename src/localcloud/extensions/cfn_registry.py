"""Make moto's CloudFormation see resource types added or replaced at run time."""

from ._moto import parsing


def refresh_model_map() -> None:
    """moto caches CloudFormationModel.__subclasses__() on first use; new subclasses need a fresh cache."""
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()

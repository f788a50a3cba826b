"""Template parameter values are checked before anything changes, with CloudFormation's ValidationError.

CreateStack, UpdateStack and CreateChangeSet refuse a value that breaks its parameter's AllowedValues,
AllowedPattern (the whole value; each member of a list), MinLength/MaxLength (String), MinValue/MaxValue
and the Number / List<Number> types; a ConstraintDescription replaces the reason, as on AWS. A parameter
the template does not declare is refused too.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ._moto import ValidationError

_LIST_TYPES = ("CommaDelimitedList", "List<")
_NUMBER_TYPES = ("Number", "List<Number>")


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _shown(limit: Any) -> str:
    return str(limit)


def violation(name: str, spec: dict[str, Any], value: str) -> str | None:
    """Why `value` is not acceptable for parameter `name`, in CloudFormation's words, or None."""
    kind = str(spec.get("Type", "String"))
    members = value.split(",") if kind.startswith(_LIST_TYPES) else [value]
    reason = _reason(name, spec, kind, value, members)
    if reason is None:
        return None
    if spec.get("ConstraintDescription") and not reason.endswith("must be a number"):
        return f"Parameter {name} failed to satisfy constraint: {spec['ConstraintDescription']}"
    return reason


def _reason(name: str, spec: dict[str, Any], kind: str, value: str, members: list[str]) -> str | None:
    quoted = f"Parameter '{name}'"
    numbers: list[Decimal] = []
    if kind in _NUMBER_TYPES:
        for member in members:
            number = _number(member)
            if number is None:
                return f"{quoted} must be a number"
            numbers.append(number)
    allowed = spec.get("AllowedValues")
    if allowed is not None and any(member not in [str(a) for a in allowed] for member in members):
        return f"{quoted} must be one of AllowedValues"
    pattern = spec.get("AllowedPattern")
    if pattern is not None and any(re.fullmatch(str(pattern), member) is None for member in members):
        return f"{quoted} must match pattern {pattern}"
    if kind == "String":
        if "MinLength" in spec and len(value) < int(spec["MinLength"]):
            return f"{quoted} must contain at least {_shown(spec['MinLength'])} characters"
        if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
            return f"{quoted} must contain at most {_shown(spec['MaxLength'])} characters"
    for number in numbers:
        if "MinValue" in spec and number < Decimal(str(spec["MinValue"])):
            return f"{quoted} must be a number not less than {_shown(spec['MinValue'])}"
        if "MaxValue" in spec and number > Decimal(str(spec["MaxValue"])):
            return f"{quoted} must be a number not greater than {_shown(spec['MaxValue'])}"
    return None


def validate(template: dict[str, Any], given: dict[str, Any], values: dict[str, str]) -> None:
    """Refuse undeclared parameters and values that break a constraint. `values` include the defaults."""
    declared = template.get("Parameters") or {}
    unknown = [name for name in given if name not in declared]
    if unknown:
        raise ValidationError(message=f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    for name, spec in declared.items():
        if name in values and isinstance(spec, dict):
            reason = violation(name, spec, values[name])
            if reason:
                raise ValidationError(message=reason)

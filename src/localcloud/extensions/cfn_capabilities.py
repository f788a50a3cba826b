"""Capabilities: CloudFormation refuses IAM resources and transforms the caller did not acknowledge.

- IAM resources need CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when one has a custom name.
- CreateStack/UpdateStack of a template with a transform (AWS::Serverless included) need
  CAPABILITY_AUTO_EXPAND; a change set does not (it is the review step).
The refusal is 400 InsufficientCapabilitiesException "Requires capabilities : [<capability>]".
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html (Capabilities)
"""

import threading
from collections.abc import Callable
from typing import Any

from localcloud.patches import Patch, register

from ._moto import ServiceException, cfn_responses

IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
    "AWS::IAM::RolePolicy": None,
    "AWS::IAM::UserPolicy": None,
    "AWS::IAM::GroupPolicy": None,
}

# The capabilities of the API request being served (None outside a request, e.g. stack sets inside moto).
_request = threading.local()


class InsufficientCapabilitiesException(ServiceException):  # type: ignore[misc]
    code = "InsufficientCapabilitiesException"


def require(original: dict[str, Any], processed: dict[str, Any], *, change_set: bool) -> None:
    given: set[str] | None = getattr(_request, "capabilities", None)
    if given is None:
        return
    if original.get("Transform") and not change_set and "CAPABILITY_AUTO_EXPAND" not in given:
        _refuse("CAPABILITY_AUTO_EXPAND")
    iam = [r for r in (processed.get("Resources") or {}).values() if r.get("Type") in IAM_NAME_PROPERTIES]
    named = any((IAM_NAME_PROPERTIES[r["Type"]] or "") in (r.get("Properties") or {}) for r in iam)
    if named and "CAPABILITY_NAMED_IAM" not in given:
        _refuse("CAPABILITY_NAMED_IAM")
    if iam and not given & {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}:
        _refuse("CAPABILITY_IAM")


def _refuse(capability: str) -> None:
    raise InsufficientCapabilitiesException(f"Requires capabilities : [{capability}]")


def _remember_capabilities(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def serve(self: Any) -> Any:
        _request.capabilities = set(self._get_param("Capabilities", []) or [])
        try:
            return handler(self)
        finally:
            _request.capabilities = None

    return serve


register(
    __name__,
    *(
        Patch(
            cfn_responses.CloudFormationResponse,
            name,
            "remember the request's Capabilities for the capability checks",
            wrap=_remember_capabilities,
        )
        for name in ("create_stack", "update_stack", "create_change_set")
    ),
)

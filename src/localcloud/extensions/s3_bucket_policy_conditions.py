"""Bucket policy statements with a Condition do not apply unconditionally.

moto evaluates bucket policies but ignores Condition blocks, so the SAM CLI's managed bucket policy
("Deny s3:* when aws:SecureTransport is false") denied every upload. Until conditions can be evaluated, a
conditional statement is left out of the decision; unconditional statements still apply.
Doc: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

import json
from typing import Any

from ._moto import s3


def _get_permission(self: Any, action: str, resource: str) -> Any:
    if self.policy is None:
        return _original_get_permission(self, action, resource)
    document = json.loads(self.policy.decode())
    statements = document.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    unconditional = [statement for statement in statements if "Condition" not in statement]
    if len(unconditional) == len(statements):
        return _original_get_permission(self, action, resource)
    from moto.iam.access_control import IAMPolicy

    return IAMPolicy(json.dumps({**document, "Statement": unconditional})).is_action_permitted(
        action, resource
    )


_original_get_permission = s3.FakeBucket.get_permission


def install() -> None:
    s3.FakeBucket.get_permission = _get_permission

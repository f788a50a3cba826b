"""Bucket policy statements with a Condition do not apply unconditionally.

moto evaluates bucket policies but ignores Condition blocks, so the SAM CLI's managed bucket policy
("Deny s3:* when aws:SecureTransport is false") denied every upload. Until conditions can be evaluated, a
conditional statement is left out of the decision; unconditional statements still apply.
Doc: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

import json
from typing import Any

from localcloud.patches import Patch, register

from ._moto import IAMPolicy, s3


def _get_permission(self: Any, action: str, resource: str) -> Any:
    if self.policy is None:
        return _original_get_permission(self, action, resource)
    document = json.loads(self.policy.decode())
    statements = document.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    unconditional = [statement for statement in statements if "Condition" not in statement]
    if len(unconditional) == len(statements):
        return _original_get_permission(self, action, resource)
    return IAMPolicy(json.dumps({**document, "Statement": unconditional})).is_action_permitted(
        action, resource
    )


_original_get_permission = s3.FakeBucket.get_permission


register(
    __name__,
    Patch(
        s3.FakeBucket,
        "get_permission",
        "bucket policy statements with a Condition do not apply unconditionally",
        new=_get_permission,
    ),
)

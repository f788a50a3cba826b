"""AWS managed policies exist in IAM with AWS's documents, and a CloudFormation role attaches its
ManagedPolicyArns.

moto loads no AWS managed policy unless told to load all of them (MOTO_IAM_LOAD_MANAGED_POLICIES=true, about
a second per account). Here the ones serverless stacks attach are in every IAM backend, and any other AWS
managed policy in moto's copy of AWS's data is added the first time GetPolicy or AttachRolePolicy names it.
moto's AWS::IAM::Role ignored ManagedPolicyArns; now each is attached, and an unknown one fails the role with
IAM's "Policy <arn> does not exist or is not attachable.".
Docs: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonAPIGatewayPushToCloudWatchLogs.html
      https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from localcloud.patches import Patch, register

from ._moto import iam, iam_managed_policy_data

# What API Gateway account logging, SAM functions and Powertools tracing attach.
SERVERLESS_POLICIES = (
    "AmazonAPIGatewayPushToCloudWatchLogs",
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaRole",
    "AWSXRayDaemonWriteAccess",
    "AWSXrayWriteOnlyAccess",
)


_AWS_POLICY_PREFIX = ":iam::aws:policy/"


@functools.cache
def _every_document() -> dict[str, Any]:
    every: dict[str, Any] = json.loads(iam_managed_policy_data)
    return every


def _documents() -> dict[str, Any]:
    return {name: _every_document()[name] for name in SERVERLESS_POLICIES}


def ensure_aws_policy(backend: Any, arn: str) -> None:
    """Add the AWS managed policy `arn` names to the backend when moto's data has it."""
    if _AWS_POLICY_PREFIX not in arn or arn in backend.managed_policies:
        return
    name = arn.rsplit("/", 1)[-1]
    data = _every_document().get(name)
    if data is None:
        return
    policy = iam.AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    if policy.arn == arn:
        backend.managed_policies[arn] = policy


def _loading_first(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Any, policy_arn: str, *args: Any, **kwargs: Any) -> Any:
        ensure_aws_policy(self, policy_arn)
        return method(self, policy_arn, *args, **kwargs)

    return call


def _attaching_managed_policies(create: Callable[..., Any]) -> Callable[..., Any]:
    def create_role(
        cls: Any,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kw: Any,
    ) -> Any:
        role = create(cls, resource_name, cloudformation_json, account_id, region_name, **kw)
        backend = iam.iam_backends[account_id][iam.get_partition(region_name)]
        attached: list[str] = []
        try:
            for arn in (cloudformation_json.get("Properties") or {}).get("ManagedPolicyArns") or []:
                backend.attach_role_policy(arn, role.name)
                attached.append(arn)
        except Exception:  # the role fails whole: nothing of it stays behind
            for arn in attached:
                backend.detach_role_policy(arn, role.name)
            backend.delete_role(role.name)
            raise
        return role

    return create_role


def _with_serverless_policies(load: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    def init_aws_policies(self: Any) -> list[Any]:
        policies = load(self)
        present = {policy.name for policy in policies}
        return policies + [
            iam.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
            for name, data in _documents().items()
            if name not in present
        ]

    return init_aws_policies


def _detaching_first(delete: Callable[..., Any]) -> Callable[..., Any]:
    def delete_role(
        cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        backend = iam.iam_backends[account_id][iam.get_partition(region_name)]
        role = next((r for r in backend.roles.values() if r.name == resource_name), None)
        for arn in list(role.managed_policies) if role is not None else []:
            backend.detach_role_policy(arn, resource_name)
        return delete(cls, resource_name, cloudformation_json, account_id, region_name)

    return delete_role


register(
    __name__,
    Patch(
        iam.IAMBackend,
        "_init_aws_policies",
        "the AWS managed policies serverless stacks attach exist",
        wrap=_with_serverless_policies,
    ),
    Patch(iam.IAMBackend, "get_policy", "AWS managed policies load on first use", wrap=_loading_first),
    Patch(
        iam.IAMBackend, "attach_role_policy", "AWS managed policies load on first use", wrap=_loading_first
    ),
    Patch(
        iam.Role,
        "create_from_cloudformation_json",
        "AWS::IAM::Role attaches its ManagedPolicyArns",
        wrap=_attaching_managed_policies,
    ),
    Patch(
        iam.Role,
        "delete_from_cloudformation_json",
        "deleting a stack's role detaches its managed policies first",
        wrap=_detaching_first,
    ),
)

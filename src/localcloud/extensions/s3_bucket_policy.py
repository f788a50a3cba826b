"""AWS::S3::BucketPolicy, stored through moto's S3 backend (SAM CLI's managed artifacts stack uses one).

With it, `sam deploy --resolve-s3` can create its `aws-sam-cli-managed-default` stack on the local cloud.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucketpolicy.html
"""

import json
from typing import Any

from ._moto import s3
from .cfn_provider import ResourceProvider


def _backend(account_id: str, region_name: str) -> Any:
    return s3.s3_backends[account_id][s3.get_partition(region_name)]


def _put(account_id: str, region_name: str, bucket: str, document: Any) -> None:
    body = document if isinstance(document, str) else json.dumps(document)
    _backend(account_id, region_name).put_bucket_policy(bucket, body.encode())


class BucketPolicyResource(ResourceProvider):
    def __init__(self, account_id: str, region_name: str, bucket: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.bucket = bucket

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @property
    def physical_resource_id(self) -> str:
        return self.bucket

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "BucketPolicyResource":
        properties = cloudformation_json["Properties"]
        _put(account_id, region_name, properties["Bucket"], properties["PolicyDocument"])
        return cls(account_id, region_name, properties["Bucket"])

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "BucketPolicyResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "BucketPolicyResource":
        # Bucket is create-only: the engine replaces the policy when it changes.
        properties = cloudformation_json["Properties"]
        _put(account_id, region_name, original_resource.bucket, properties["PolicyDocument"])
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.bucket in backend.buckets:
            backend.delete_bucket_policy(self.bucket)

"""API Gateway: the custom domain's base path mappings (the actual live mapping)."""

from __future__ import annotations

from dataclasses import dataclass

from bluegreen.aws.base import AwsBase


@dataclass(frozen=True)
class BasePathMapping:
    base_path: str
    rest_api_id: str
    stage: str


class ApiGatewayApi(AwsBase):
    def base_path_mappings(self, domain_name: str) -> list[BasePathMapping]:
        return [
            BasePathMapping(
                base_path=item.get("basePath", ""),
                rest_api_id=item.get("restApiId", ""),
                stage=item.get("stage", ""),
            )
            for page in self.pages(self.apigateway, "get_base_path_mappings", domainName=domain_name)
            for item in page.get("items", [])
        ]

"""Powertools' response building, without reading the request's headers when no route compresses.

Powertools decides on every response whether to gzip it: it reads Accept-Encoding from the request's
headers first (building a lower-cased copy of every header), then answers False unless the response or
the route asks for compression. None of this API's routes or responses does, so the copy is a tenth of a
warm request for an answer known in advance. `ResponseBuilderReadingHeadersOnDemand` answers False
without the headers in exactly that case and asks Powertools otherwise; tests compare the two answers.
"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent


class ResponseBuilderReadingHeadersOnDemand(ResponseBuilder[BaseProxyEvent]):
    @staticmethod
    def _has_compression_enabled(
        route_compression: bool, response_compression: bool | None, event: BaseProxyEvent
    ) -> bool:
        if response_compression is None and not route_compression:
            return False  # Powertools' answer whatever Accept-Encoding says
        return ResponseBuilder._has_compression_enabled(route_compression, response_compression, event)


def build_responses_reading_headers_on_demand(app: APIGatewayRestResolver) -> None:
    """Fails the cold start if Powertools no longer builds responses where it did."""
    current: Any = getattr(app, "_response_builder_class", None)
    if getattr(current, "__origin__", current) is not ResponseBuilder:
        raise RuntimeError(
            "Powertools builds responses elsewhere: review ResponseBuilderReadingHeadersOnDemand"
        )
    app._response_builder_class = ResponseBuilderReadingHeadersOnDemand

"""Retried POST /orders with the same Idempotency-Key get the first answer, whichever color serves them.

Powertools' idempotency utility over the data stack's idempotency table. Records are keyed by the
client's key under one prefix that both colors share, so a retry that lands on the other color after a
switch still finds the first answer. The body is the payload validated against the record: the same
key with another body is refused (422), a retry while the first request runs is refused (409).
Powertools' idempotency modules are imported on the first keyed order only; the DynamoDB client is the order
path's own (`make_client`): a warm environment's first keyed order makes no second one (about 85 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.exceptions import ServiceError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb import DynamoDBClient

HEADER = "Idempotency-Key"
KEY_PREFIX = "petstore.orders"
RECORD_LIFETIME_SECONDS = 3600
# Visible ASCII, bounded: the key is hashed, but a client's junk is refused (422) before it gets here.
KEY_PATTERN = r"^[\x21-\x7e]{1,128}$"

PlaceOrder = Callable[[], dict[str, Any]]


class IdempotencyKeyReusedError(ServiceError):
    def __init__(self, msg: str):
        super().__init__(422, msg)


class IdempotentRequestInProgressError(ServiceError):
    def __init__(self, msg: str):
        super().__init__(409, msg)


class IdempotentOrders:
    """Runs an order placement at most once per key; built on the first keyed order."""

    def __init__(self, table_name: str, make_client: Callable[[], DynamoDBClient]) -> None:
        self._table_name = table_name
        self._make_client = make_client
        self._run: Callable[..., dict[str, Any]] | None = None
        self._config: Any = None

    def place_once(
        self, key: str, body: dict[str, Any], context: LambdaContext, place: PlaceOrder
    ) -> dict[str, Any]:
        """The first answer for this key and body: place() runs only if no answer is recorded."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        run = self._build()
        self._config.register_lambda_context(context)
        try:
            return run(request={"key": key, "body": body}, place=place)
        except IdempotencyValidationError:
            raise IdempotencyKeyReusedError(
                f"{HEADER} was already used for an order with another body"
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise IdempotentRequestInProgressError(
                f"An order with this {HEADER} is being placed; retry in a few seconds"
            ) from None

    def _build(self) -> Callable[..., dict[str, Any]]:
        if self._run is None:
            from aws_lambda_powertools.utilities.idempotency import (
                DynamoDBPersistenceLayer,
                IdempotencyConfig,
                idempotent_function,
            )

            self._config = IdempotencyConfig(
                event_key_jmespath="key",
                payload_validation_jmespath="body",
                raise_on_no_idempotency_key=True,
                expires_after_seconds=RECORD_LIFETIME_SECONDS,
            )

            def run(*, request: dict[str, Any], place: PlaceOrder) -> dict[str, Any]:
                return place()

            self._run = idempotent_function(
                run,
                data_keyword_argument="request",
                persistence_store=DynamoDBPersistenceLayer(
                    table_name=self._table_name, boto3_client=self._make_client()
                ),
                config=self._config,
                key_prefix=KEY_PREFIX,
            )
        return self._run

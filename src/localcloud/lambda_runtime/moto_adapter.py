"""Reads what the runtime needs from moto's Lambda model objects (moto is untyped: narrow access here)."""

from __future__ import annotations

from typing import Any

from localcloud.lambda_runtime.spec import FunctionSpec


def spec_from_moto(fn: Any) -> FunctionSpec:
    version = str(fn.version)
    base_arn = f"arn:aws:lambda:{fn.region}:{fn.account_id}:function:{fn.function_name}"
    reserved = fn.reserved_concurrency
    return FunctionSpec(
        name=str(fn.function_name),
        arn=base_arn,
        version=version,
        region=str(fn.region),
        account_id=str(fn.account_id),
        runtime=fn.run_time,
        handler=str(fn.handler),
        timeout_s=float(fn.timeout),
        memory_mb=int(fn.memory_size),
        environment={str(k): str(v) for k, v in (fn.environment_vars or {}).items()},
        code_sha256=str(fn.code_sha_256),
        reserved_concurrency=int(reserved) if reserved not in (None, "") else None,
        code_bytes=lambda: bytes(fn.code_bytes),
        log_group_name=(getattr(fn, "logging_config", None) or {}).get("LogGroup"),
    )


def lambda_function(account_id: str, region: str, name_or_arn: str, qualifier: str | None) -> Any:
    """moto's LambdaFunction for a name or ARN; raises moto's UnknownFunctionException when absent."""
    from localcloud.extensions._moto import awslambda

    return awslambda.lambda_backends[account_id][region].get_function(name_or_arn, qualifier)

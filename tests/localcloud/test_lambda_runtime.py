"""The local Lambda runtime: boto3's Invoke runs the deployed zip under python3.13 in warm environments."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from fixtures.bundles import zip_of
from moto import mock_aws

from localcloud import lambda_runtime, observability
from localcloud.observability import lambda_logging_config

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[lambda_runtime.LambdaRuntime]:
    with mock_aws():
        observability.install()
        observability.store().clear()  # the store is process-wide; each test starts without metrics
        lambda_logging_config.install()
        installed = lambda_runtime.install(tmp_path / "state")
        try:
            yield installed
        finally:
            installed.shutdown()


@pytest.fixture
def client(runtime: lambda_runtime.LambdaRuntime) -> Any:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(trust)
    )
    return boto3.client("lambda", region_name="us-east-1")


def create(client: Any, name: str, code: bytes, handler: str = "probe.handler", **extra: Any) -> None:
    client.create_function(
        FunctionName=name,
        Runtime=extra.pop("Runtime", "python3.13"),
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": code},
        **extra,
    )


def invoke(
    client: Any, name: str, event: dict[str, Any] | None = None, **extra: Any
) -> tuple[dict[str, Any], Any]:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **extra)
    return response, json.loads(response["Payload"].read())


def test_first_invoke_is_cold_and_the_next_reuses_the_warm_environment(client: Any) -> None:
    create(client, "probe", zip_of("probe"))

    _, first = invoke(client, "probe")
    _, second = invoke(client, "probe")

    assert first["cold"] is True
    assert second["cold"] is False
    assert first["pid"] == second["pid"]
    assert first["version"] == "3.13"


def test_code_update_starts_a_new_environment(client: Any, runtime: lambda_runtime.LambdaRuntime) -> None:
    create(client, "probe", zip_of("probe"))
    _, before = invoke(client, "probe")

    client.update_function_code(FunctionName="probe", ZipFile=zip_of("probe", extra={"marker.txt": "v2"}))
    _, after = invoke(client, "probe")

    assert after["cold"] is True
    assert after["pid"] != before["pid"]
    assert before["pid"] not in runtime.environment_pids("probe")


def test_configuration_update_starts_a_new_environment_with_the_new_variables(client: Any) -> None:
    create(client, "probe", zip_of("probe"), Environment={"Variables": {"COLOR": "blue"}})
    _, before = invoke(client, "probe")

    client.update_function_configuration(FunctionName="probe", Environment={"Variables": {"COLOR": "green"}})
    _, after = invoke(client, "probe")

    assert before["env"]["COLOR"] == "blue"
    assert after["env"]["COLOR"] == "green"
    assert after["cold"] is True


def test_two_functions_never_share_an_environment(client: Any) -> None:
    create(client, "blue", zip_of("probe"))
    create(client, "green", zip_of("probe"))

    pids_blue = {invoke(client, "blue")[1]["pid"] for _ in range(3)}
    pids_green = {invoke(client, "green")[1]["pid"] for _ in range(3)}

    assert pids_blue.isdisjoint(pids_green)


def test_the_function_sees_lambda_environment_and_its_own_variables_but_no_venv(client: Any) -> None:
    create(
        client,
        "probe",
        zip_of("probe"),
        MemorySize=256,
        Timeout=7,
        Environment={"Variables": {"POWERTOOLS_SERVICE_NAME": "petstore", "AWS_REGION": "eu-west-9"}},
    )

    _, body = invoke(client, "probe", {"hello": "world"})

    env = body["env"]
    assert body["event"] == {"hello": "world"}
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "probe"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_REGION"] == "us-east-1"  # reserved: the function's own value does not win
    assert env["_HANDLER"] == "probe.handler"
    assert env["POWERTOOLS_SERVICE_NAME"] == "petstore"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"
    assert "Sampled=0" in env["_X_AMZN_TRACE_ID"]
    assert env["LAMBDA_TASK_ROOT"] == body["sysPath"][0]
    assert not any("site-packages" in entry for entry in body["sysPath"])
    assert env["AWS_ACCESS_KEY_ID"] == "test"


def test_the_context_object_carries_lambda_attributes(client: Any) -> None:
    create(client, "probe", zip_of("probe"), MemorySize=512, Timeout=5)

    response, body = invoke(client, "probe")

    context = body["context"]
    assert context["function_name"] == "probe"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:probe"
    assert context["memory_limit_in_mb"] == "512"
    assert context["log_group_name"] == "/aws/lambda/probe"
    assert "[$LATEST]" in context["log_stream_name"]
    assert 0 < context["remaining_ms"] <= 5000
    assert context["aws_request_id"] == response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def test_a_handler_exception_becomes_lambdas_error_payload(client: Any) -> None:
    create(client, "probe", zip_of("probe"))

    response, body = invoke(client, "probe", {"action": "raise", "message": "bad pet"})

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad pet"
    assert any("probe.py" in frame for frame in body["stackTrace"])


def test_an_unserializable_result_is_a_marshal_error(client: Any) -> None:
    create(client, "probe", zip_of("probe"))

    response, body = invoke(client, "probe", {"action": "unserializable"})

    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.MarshalError"


def test_an_import_error_is_reported_and_the_environment_is_not_reused(
    client: Any, runtime: lambda_runtime.LambdaRuntime
) -> None:
    create(client, "broken", zip_of("broken_import"), handler="broken_import.handler")

    response, body = invoke(client, "broken")

    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'no_such_dependency'" in body["errorMessage"]
    assert runtime.environment_pids("broken") == []


def test_timeout_returns_lambdas_message_and_discards_the_environment(
    client: Any, runtime: lambda_runtime.LambdaRuntime
) -> None:
    create(client, "probe", zip_of("probe"), Timeout=1)
    _, warm = invoke(client, "probe")

    started = time.monotonic()
    response, body = invoke(client, "probe", {"action": "sleep", "seconds": 5})
    elapsed = time.monotonic() - started
    _, after = invoke(client, "probe")

    assert response["FunctionError"] == "Unhandled"
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert 1.0 <= elapsed < 3.0
    assert after["cold"] is True and after["pid"] != warm["pid"]


def test_concurrent_invokes_run_in_parallel_in_separate_environments(client: Any) -> None:
    create(client, "probe", zip_of("probe"), Timeout=10)
    invoke(client, "probe")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: invoke(client, "probe", {"action": "sleep", "seconds": 1})[1], range(4))
        )
    elapsed = time.monotonic() - started

    assert elapsed < 3.5  # serial execution would take at least 4 s
    assert len({result["pid"] for result in results}) == 4


def test_reserved_concurrency_bounds_the_environments(
    client: Any, runtime: lambda_runtime.LambdaRuntime
) -> None:
    create(client, "probe", zip_of("probe"), Timeout=10)
    client.put_function_concurrency(FunctionName="probe", ReservedConcurrentExecutions=2)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: invoke(client, "probe", {"action": "sleep", "seconds": 0.3})[1], range(4))
        )

    assert len({result["pid"] for result in results}) <= 2
    assert len(runtime.environment_pids("probe")) <= 2


def _log_text(group: str, until: str = "", timeout_s: float = 10.0) -> str:
    """Every message in a log group, waiting (at most timeout_s) until `until` appears in it."""
    logs = boto3.client("logs", region_name="us-east-1")
    deadline = time.monotonic() + timeout_s
    while True:
        observability.sink().flush()
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        text = "\n".join(event["message"] for event in events)
        if until in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def test_logs_go_to_the_function_log_group_not_the_result(client: Any) -> None:
    create(client, "probe", zip_of("probe"))

    response, _ = invoke(client, "probe", {"action": "raise"})

    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    log = _log_text("/aws/lambda/probe", until=f"REPORT RequestId: {request_id}")
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert f"START RequestId: {request_id}" in log
    assert f"REPORT RequestId: {request_id}" in log
    assert "[ERROR] ValueError: boom" in log


def test_other_runtimes_are_refused_with_a_lambda_error(client: Any) -> None:
    create(client, "old", zip_of("probe"), Runtime="python3.9")
    # Lambda answers 502 here, which botocore would retry with backoff: one attempt is enough.
    once = boto3.client("lambda", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))

    with pytest.raises(once.exceptions.InvalidRuntimeException) as raised:
        invoke(once, "old")

    assert "python3.9" in str(raised.value)


def test_invalid_json_payload_is_rejected(client: Any) -> None:
    create(client, "probe", zip_of("probe"))

    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName="probe", Payload=b"{not json")


def test_event_invocation_is_accepted_and_runs(client: Any, tmp_path: Path) -> None:
    create(client, "probe", zip_of("probe"))

    response = client.invoke(FunctionName="probe", InvocationType="Event", Payload=b'{"async": true}')

    assert response["StatusCode"] == 202
    assert "REPORT RequestId" in _log_text("/aws/lambda/probe", until="REPORT RequestId")


def test_code_is_unzipped_once_per_code_sha(client: Any, tmp_path: Path) -> None:
    create(client, "a", zip_of("probe"))
    create(client, "b", zip_of("probe"))

    invoke(client, "a")
    invoke(client, "b")

    sha = client.get_function(FunctionName="a")["Configuration"]["CodeSha256"]
    assert sha == client.get_function(FunctionName="b")["Configuration"]["CodeSha256"]
    assert len(os.listdir(tmp_path / "state" / "code")) == 1
    assert base64.b64decode(sha)  # Lambda's CodeSha256 is base64


def test_deleting_a_function_stops_its_environments(
    client: Any, runtime: lambda_runtime.LambdaRuntime
) -> None:
    create(client, "probe", zip_of("probe"))
    _, body = invoke(client, "probe")
    assert runtime.environment_pids("probe") == [body["pid"]]

    client.delete_function(FunctionName="probe")

    assert runtime.environment_pids("probe") == []


def test_a_timed_out_invoke_is_logged_with_end_and_a_timeout_report(client: Any) -> None:
    # GIVEN a function with a 1 s timeout
    create(client, "probe", zip_of("probe"), Timeout=1)

    # WHEN an invoke runs past it
    response, _ = invoke(client, "probe", {"action": "sleep", "seconds": 5})

    # THEN its log group has START, the timeout, END and a REPORT that says so
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    log = _log_text("/aws/lambda/probe", until=f"REPORT RequestId: {request_id}")
    assert f"START RequestId: {request_id}" in log
    assert f"{request_id} Task timed out after 1.00 seconds" in log
    assert f"END RequestId: {request_id}" in log
    assert "Status: timeout" in log


def test_output_goes_to_the_log_group_named_by_logging_config(client: Any) -> None:
    # GIVEN a function whose LoggingConfig names its own log group
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName="/custom/probe")
    create(client, "probe", zip_of("probe"), LoggingConfig={"LogGroup": "/custom/probe", "LogFormat": "Text"})

    # WHEN it runs
    response, body = invoke(client, "probe")

    # THEN Lambda reports that group and the lines land there
    assert (
        client.get_function_configuration(FunctionName="probe")["LoggingConfig"]["LogGroup"]
        == "/custom/probe"
    )
    assert body["context"]["log_group_name"] == "/custom/probe"
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert f"REPORT RequestId: {request_id}" in _log_text(
        "/custom/probe", until=f"REPORT RequestId: {request_id}"
    )


def test_invocations_errors_and_duration_are_published_per_function(client: Any) -> None:
    # GIVEN a function that succeeds once and fails twice
    create(client, "probe", zip_of("probe"))
    before = time.time() - 1
    invoke(client, "probe")
    invoke(client, "probe", {"action": "raise"})
    invoke(client, "probe", {"action": "raise"})

    # WHEN AWS/Lambda is read back through CloudWatch
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")

    def total(metric: str, statistic: str = "Sum") -> float:
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName=metric,
            Dimensions=[{"Name": "FunctionName", "Value": "probe"}],
            StartTime=before,
            EndTime=time.time() + 1,
            Period=60,
            Statistics=[statistic],
        )["Datapoints"]
        return sum(point[statistic] for point in points)

    # THEN the counts are the invokes' and Duration has samples
    assert total("Invocations") == 3
    assert total("Errors") == 2
    assert total("Duration", "SampleCount") == 3
    assert total("ConcurrentExecutions", "Maximum") >= 1

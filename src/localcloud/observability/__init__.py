"""What AWS services report about themselves: metrics, alarms that evaluate them, and logs.

One process-wide store of service metrics (the data plane and the Lambda runtime record into it), a log
sink that batches lines into moto's CloudWatch Logs, and an alarm evaluator; `start` runs the background
threads of a local cloud, `stop` ends them and flushes what is queued.
"""

from __future__ import annotations

from typing import Any

from localcloud.observability.lambda_metrics import LambdaMetrics
from localcloud.observability.logs import LogSink, sink
from localcloud.observability.metrics import MetricStore

__all__ = ["LambdaMetrics", "LogSink", "MetricStore", "lambda_metrics", "sink", "start", "stop", "store"]

_store = MetricStore()
_lambda_metrics = LambdaMetrics(_store)
_evaluator: Any = None


def store() -> MetricStore:
    return _store


def lambda_metrics() -> LambdaMetrics:
    return _lambda_metrics


def _cloudwatch_backends() -> list[Any]:
    from localcloud.extensions._moto import cloudwatch

    # dict.values avoids BackendDict creating a backend for every region it is asked about.
    return [
        backend
        for account in list(dict.values(cloudwatch.cloudwatch_backends))
        for backend in list(dict.values(account))
    ]


def install() -> None:
    """Answer moto's CloudWatch API from this process's store (the service metrics, alarm history)."""
    from localcloud.observability import cloudwatch_api

    cloudwatch_api.install(cloudwatch_api.CloudWatchApi(_store))


def start() -> None:
    """Run the log flusher and the alarm evaluator (the local cloud server calls this once)."""
    global _evaluator
    from localcloud.observability.alarms import AlarmEvaluator

    install()
    sink().start()
    if _evaluator is None:
        _evaluator = AlarmEvaluator(_store, _cloudwatch_backends)
        _evaluator.start()


def stop() -> None:
    global _evaluator
    if _evaluator is not None:
        _evaluator.stop()
        _evaluator = None
    sink().stop()

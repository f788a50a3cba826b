"""Powertools' CloudWatch EMF metrics, each line written by compact_json instead of json.dumps.

`CompactEMFProvider` is Powertools' own provider (validation, dimensions, metadata, the cold-start
metric, the 100-metric limit), given to Metrics as its documented provider (Metrics(provider=...)). Its
flush differs in two ways only: it writes the line with compact_json, and it reads whether metrics are
disabled (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV) once, when the provider is made, where Powertools
reads them at every flush: a function's environment variables are fixed for the life of its execution
environments, and the reads were 4% of a warm order. tests/unit/handlers/test_compact_json.py checks that
it prints the document Powertools' provider prints, and flushes, warns and stays silent as it does.
"""

import warnings
from typing import Any

from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from petstore.compact_json import compact_json


class CompactEMFProvider(AmazonCloudWatchEMFProvider):
    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.disabled = is_metrics_disabled()

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        """Powertools' flush_metrics (3.37), the line written by compact_json."""
        if not raise_on_empty_metrics and not self.metric_set:
            warnings.warn(
                "No application metrics to publish. The cold-start metric may be published if enabled. "
                "If application metrics should never be empty, consider using 'raise_on_empty_metrics'",
                stacklevel=2,
            )
        elif not self.disabled:
            print(compact_json(self.serialize_metric_set()))
            self.clear_metrics()

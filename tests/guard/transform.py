"""Expand SAM templates into the plain CloudFormation that AWS would deploy, for cfn-guard.

cfn-guard reads resources as written: on a SAM template it sees `AWS::Serverless::Api` and would
never check the `AWS::ApiGateway::Stage` that SAM generates (where access logs, data tracing and
X-Ray are set).  This script runs the same translator as the CloudFormation SAM transform
(aws-sam-translator, offline: the managed policy names come from the map the translator bundles)
and writes one JSON file per template.  Templates without the transform are copied as JSON, so
every template is checked the same way.

Usage: python tests/guard/transform.py OUT_DIR TEMPLATE [TEMPLATE ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import decode
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# Pseudo parameters the translator needs to build ARNs; no credentials are used.
PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "lint",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/lint/0",
    "AWS::URLSuffix": "amazonaws.com",
}


def load(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation YAML/JSON template (short-form intrinsics included) into plain data."""
    template, matches = decode(str(path))
    if matches or template is None:
        raise SystemExit(f"{path}: cannot parse: {'; '.join(str(m) for m in matches)}")
    plain: dict[str, Any] = json.loads(json.dumps(template, default=str))
    return plain


def uses_sam(template: dict[str, Any]) -> bool:
    transform = template.get("Transform", [])
    names = [transform] if isinstance(transform, str) else list(transform)
    return SAM_TRANSFORM in names


def as_packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Point local code folders at S3, as `sam package` does before the transform runs."""
    artifact_props = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}
    for logical_id, resource in template.get("Resources", {}).items():
        prop = artifact_props.get(resource.get("Type", ""))
        properties = resource.get("Properties", {})
        if prop and isinstance(properties.get(prop), str) and not properties[prop].startswith("s3://"):
            properties[prop] = f"s3://lint-artifacts/{logical_id}.zip"
    function_globals = template.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = "s3://lint-artifacts/global.zip"
    return template


def expand(template: dict[str, Any]) -> dict[str, Any]:
    """Return the CloudFormation template the SAM transform produces for `template`."""
    if not uses_sam(template):
        return template
    template = as_packaged(template)
    translator = Translator(
        managed_policy_map=get_bundled_managed_policy_map("aws"),
        sam_parser=Parser(),
        # A session with a region only: the translator reads the region from it, no call is made.
        boto_session=boto3.session.Session(region_name=PSEUDO_PARAMETERS["AWS::Region"]),
    )
    # passthrough_metadata keeps each SAM resource's Metadata (and so its scanner suppressions,
    # each with its reason) on the resources generated from it.
    expanded: dict[str, Any] = translator.translate(
        sam_template=template,
        parameter_values=dict(PSEUDO_PARAMETERS),
        passthrough_metadata=True,
    )
    return expanded


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in argv[1:]:
        source = Path(name)
        target = out_dir / f"{source.stem}.json"
        target.write_text(json.dumps(expand(load(source)), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{source} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

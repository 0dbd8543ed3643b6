"""A rule prefix with a trailing '/': ECR keeps it as sent; ptc plans it as the same rule.

Terraform (`ecr_repository_prefix = "team/"`) and the service keep the slash; ptc compares
prefixes without it, so a file with `team` or `team/` plans nothing against either.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from ptc.engine import workflow

from .conftest import gateway, write_file


@pytest.mark.parametrize("spelling", ["team", "team/"])
def test_a_live_prefix_with_a_slash_is_the_files_rule(
    session: boto3.Session, tmp_path: Path, spelling: str
) -> None:
    session.client("ecr").create_pull_through_cache_rule(
        ecrRepositoryPrefix="team/", upstreamRegistryUrl="quay.io"
    )
    path = write_file(
        tmp_path,
        f"""\
        version: 1
        regions: [us-east-1]
        rules:
          - prefix: {spelling}
            upstream: quay.io
        """,
    )
    desired = workflow.load_desired(path)
    planned = workflow.plan_desired(desired, gateway(session, desired.regions))
    assert planned.plan.is_empty

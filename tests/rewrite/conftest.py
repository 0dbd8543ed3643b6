"""A rules file and a mapper for account 123456789012 in us-east-1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ptc.config.models import PtcFile
from ptc.rewrite.engine import RefResult, rewrite_text
from ptc.rewrite.mapping import Mapper, Target

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
DIGEST = "sha256:" + "0123456789abcdef" * 4

RULES = """\
version: 1
account: "123456789012"
regions: [us-east-1, eu-west-1]
rules:
  - prefix: docker-hub
    upstream: registry-1.docker.io
    credentials: ecr-pullthroughcache/docker-hub
  - prefix: quay
    upstream: quay.io
  - prefix: github
    upstream: ghcr.io
    credentials: ecr-pullthroughcache/github
  - prefix: ecr-prod
    upstream: 210987654321.dkr.ecr.us-west-2.amazonaws.com
    upstream_prefix: prod
    role: arn:aws:iam::123456789012:role/ptc-pull-through
  - prefix: kubernetes
    upstream: registry.k8s.io
    regions: [eu-west-1]
"""


def rules_file(text: str = RULES) -> PtcFile:
    return PtcFile.model_validate(yaml.safe_load(text))


@pytest.fixture
def mapper() -> Mapper:
    return Mapper.from_file(rules_file(), Target("123456789012", "us-east-1"))


@pytest.fixture
def rules_path(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return path


def rewrite(text: str, mapper: Mapper, name: str = "") -> str:
    return rewrite_text(text, mapper, name)[2]


def results(text: str, mapper: Mapper, name: str = "") -> list[RefResult]:
    return rewrite_text(text, mapper, name)[1]

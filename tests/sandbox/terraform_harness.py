"""Terraform 1.11 with the AWS provider (5.100.0, from the local mirror) against
`ptc sandbox serve`: what the Terraform tests share.

Loading the provider takes seconds per command, so each test makes as few as its proof needs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ptc.sandbox.embedded import dummy_environment

MIRROR = Path("/opt/tf-plugins")
PROVIDER = MIRROR / "registry.terraform.io/hashicorp/aws/5.100.0"
TERRAFORM = shutil.which("terraform")
TIMEOUT = 300

REQUIRES_TERRAFORM = [
    pytest.mark.external,
    pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH"),
    pytest.mark.skipif(
        not PROVIDER.is_dir(), reason=f"provider hashicorp/aws 5.100.0 is not mirrored in {MIRROR}"
    ),
]

HEADER = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }
"""

_PROVIDER = """
provider "aws" {{{alias}
  region                      = "{region}"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
  endpoints {{
    ecr            = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
    iam            = var.endpoint
  }}
}}
"""


def provider(region: str = "us-east-1", alias: str | None = None) -> str:
    """A provider block whose every service is the sandbox (`var.endpoint`)."""
    return _PROVIDER.format(alias=f'\n  alias = "{alias}"' if alias else "", region=region)


Variables = dict[str, str]


class Terraform:
    """Runs terraform in one working directory against the sandbox server at `endpoint`."""

    def __init__(self, workdir: Path, endpoint: str) -> None:
        self.workdir = workdir
        cli_config = workdir / "terraform.rc"
        cli_config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
        )
        self.env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
        self.env.pop("TF_PLUGIN_CACHE_DIR", None)
        for name, value in dummy_environment("us-east-1").items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value
        self.env["TF_VAR_endpoint"] = endpoint

    @classmethod
    def initialised(cls, workdir: Path, config: str, endpoint: str) -> Terraform:
        (workdir / "main.tf").write_text(config)
        tf = cls(workdir, endpoint)
        tf.run("init", "-input=false")
        return tf

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        assert TERRAFORM is not None
        done = subprocess.run(
            [TERRAFORM, *args, "-no-color"],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode in ok, f"terraform {args[0]}: {done.stdout}\n{done.stderr}"
        return done

    def apply(self, variables: Variables | None = None) -> None:
        self.run("apply", "-input=false", "-auto-approve", *_vars(variables))

    def apply_saved_plan(self, plan: str = "tfplan") -> None:
        self.run("apply", "-input=false", plan)

    def destroy(self, variables: Variables | None = None) -> None:
        self.run("destroy", "-input=false", "-auto-approve", *_vars(variables))

    def plan_exit_code(self, variables: Variables | None = None) -> int:
        return self.run(
            "plan", "-input=false", "-detailed-exitcode", *_vars(variables), ok=(0, 2)
        ).returncode

    def plan_actions(
        self, variables: Variables | None = None, out: str = "tfplan"
    ) -> dict[str, str]:
        """Plan into `out` and return {resource address: action} for each change."""
        done = self.run("plan", "-input=false", "-json", f"-out={out}", *_vars(variables))
        events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        return {
            event["change"]["resource"]["addr"]: event["change"]["action"]
            for event in events
            if event.get("type") == "planned_change"
        }


def _vars(variables: Variables | None) -> list[str]:
    return [f"-var={name}={value}" for name, value in (variables or {}).items()]

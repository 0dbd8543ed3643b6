"""The sandbox: moto extended with the ECR operations moto lacks.

moto 5.2 implements ECR repositories, Secrets Manager, STS and IAM, but raises
NotImplementedError for pull-through cache rules and repository creation templates. This
package adds them, table-driven from ptc.domain.catalog, in three ways of running:

  * in tests: emulator.install() plus moto's mock_aws (the `aws` fixture in tests/conftest.py);
  * as a server: server.serve() behind `ptc sandbox serve`, for the aws CLI and Terraform;
  * embedded: embedded.running(path), an in-process sandbox whose state lives in a file, for
    `ptc plan/apply --sandbox`.

Modules: strict (the documented choices where AWS is silent), errors, fields (model checks),
ptc_rules and templates (the operations), emulator (moto wiring), state (save and load),
store (where the state lives: lock, key, checks), embedded, server, gate (what the server
answers, and its saves), accounts (the caller's account, AssumeRole's trust) and organizations
(AWS Organizations saved, restored and seeded). This module imports nothing heavy: moto is
imported only by emulator, state, embedded and server, when used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

# The sandbox's region unless told otherwise: the one fallback region, not a second one.
from ptc.domain.catalog import DEFAULT_REGION as DEFAULT_REGION

DEFAULT_STATE_PATH: Final = Path(".ptc/sandbox.json")  # the CLI's --sandbox-state default
DEFAULT_ACCOUNT_ID: Final = "123456789012"  # moto's default account
DUMMY_ACCESS_KEY: Final = "testing"
DUMMY_SECRET_KEY: Final = "testing"  # noqa: S105 - a placeholder moto accepts, not a secret

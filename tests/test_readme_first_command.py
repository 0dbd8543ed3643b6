"""README's first command, as a user runs it: apply the example to the sandbox, plan clean.

.ci/run also runs the command itself from README in a fresh copy of the repository; this
test keeps the same promise inside the suite, where a failure is quicker to find.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from ptc.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})
    return result.exit_code, result.output


def test_readme_opens_with_an_apply_and_a_plan_of_the_example_on_the_sandbox() -> None:
    first = re.search(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert first
    assert "ptc apply --sandbox --auto-approve examples/accounts.yaml" in first.group(1)
    assert first.group(1).endswith("ptc plan --sandbox examples/accounts.yaml")


@pytest.mark.parametrize(
    ("example", "applied", "clean"),
    [
        # README's first command: three accounts, each through its role.
        (
            "examples/accounts.yaml",
            "Apply over 3 accounts complete: 3 applied,",
            "No changes in 3 accounts. The live state matches the file.",
        ),
        ("examples/rules.yaml", "Apply complete", "No changes. The live state matches the file."),
    ],
)
def test_the_example_applies_to_a_new_sandbox_and_then_plans_clean(
    example: str, applied: str, clean: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    for name in ("DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN", "GHCR_USERNAME"):
        monkeypatch.delenv(name, raising=False)  # the sandbox stands in placeholders

    code, output = _run("apply", "--sandbox", "--auto-approve", example)
    assert code == 0, output
    assert applied in output

    code, output = _run("plan", "--sandbox", "--detailed-exitcode", example)
    assert code == 0, output
    assert clean in output.splitlines()


def test_a_kms_key_the_embedded_sandbox_knows_keeps_its_state(tmp_path: Path) -> None:
    from ptc.sandbox.embedded import running

    with running(tmp_path / "state.json") as sandbox:
        kms = sandbox.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key)
        secrets = sandbox.client("secretsmanager")
        arns = [
            secrets.create_secret(
                Name=f"ecr-pullthroughcache/{name}", SecretString="{}", KmsKeyId=kms_key
            )["ARN"]
            for name, kms_key in (("known", key), ("unknown", "alias/never-created"))
        ]
        ecr = sandbox.client("ecr")
        with pytest.raises(ClientError) as refused:
            ecr.create_pull_through_cache_rule(
                ecrRepositoryPrefix="known", upstreamRegistryUrl="ghcr.io", credentialArn=arns[0]
            )
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="unknown", upstreamRegistryUrl="ghcr.io", credentialArn=arns[1]
        )
    assert refused.value.response["Error"]["Code"] == "UnableToDecryptSecretValueException"

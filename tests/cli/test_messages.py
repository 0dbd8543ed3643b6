"""Each bad value gets the message about that value (issue 10, item 22)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptc.sandbox.pull import PullError, parse_image
from tests.support import run

EXAMPLE = Path(__file__).parents[2] / "examples" / "rules.yaml"


@pytest.mark.parametrize("account", ["abc", "12345678901", "1234567890123", "12345678901a"])
def test_iam_policy_refuses_an_account_that_is_not_12_digits(account: str) -> None:
    result = run("iam-policy", EXAMPLE, "--for", "plan", "--account", account)
    assert (result.exit_code, result.stdout) == (64, "")
    assert result.stderr == f"error: --account {account!r}: an AWS account ID is 12 digits\n"


def test_iam_policy_takes_a_12_digit_account() -> None:
    result = run("iam-policy", EXAMPLE, "--for", "apply", "--account", "210987654321")
    assert (result.exit_code, result.stderr.count("error")) == (0, 0)


def test_sandbox_serve_blames_a_host_that_is_not_an_address() -> None:
    result = run("sandbox", "serve", "--host", "999.1.1.1")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --host 999.1.1.1: not an address or host name (Name or service not known); "
        "use 127.0.0.1, ::1 or an address of this machine\n"
    )


def test_sandbox_serve_blames_an_address_of_another_machine() -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    result = run("sandbox", "serve", "--host", "192.0.2.1")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --host 192.0.2.1: not an address of this machine "
        "(Cannot assign requested address)\n"
    )


@pytest.mark.parametrize("image", ["NGINX:@@", "nginx@", "nginx@latest", "@sha256:abc", "a@@b"])
def test_sandbox_pull_calls_a_malformed_reference_invalid(image: str) -> None:
    with pytest.raises(PullError) as caught:
        parse_image(image)
    assert str(caught.value) == f"'{image}': not a valid image reference (repository[:tag])"


def test_sandbox_pull_of_a_digest_still_says_pull_by_tag() -> None:
    image = "docker-hub/library/nginx@sha256:" + "a" * 64
    with pytest.raises(PullError) as caught:
        parse_image(image)
    assert str(caught.value) == f"'{image}': pull by tag; a first pull by digest is not supported"


def test_sandbox_pull_cli_message(tmp_path: Path) -> None:
    result = run("sandbox", "pull", "--sandbox-state", tmp_path / "s.json", "NGINX:@@")
    assert result.exit_code == 1
    assert result.stderr == "error: 'NGINX:@@': not a valid image reference (repository[:tag])\n"

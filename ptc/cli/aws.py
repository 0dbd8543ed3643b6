"""Options shared by the commands that talk to AWS, and how they get a session."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ptc.errors import PtcError, UsageError
from ptc.sandbox import DEFAULT_STATE_PATH

if TYPE_CHECKING:
    from ptc.aws.clients import Session
    from ptc.plan.values import SecretValues

SandboxFlag = Annotated[
    bool,
    typer.Option(
        "--sandbox",
        help="Run against the built-in sandbox (no AWS account, no network).",
    ),
]
SandboxState = Annotated[
    Path,
    typer.Option("--sandbox-state", metavar="FILE", help="Where the sandbox keeps its state."),
]
Profile = Annotated[
    str | None,
    typer.Option(
        "--profile", metavar="PROFILE", help="AWS profile to use (default: the environment)."
    ),
]
Regions = Annotated[
    list[str] | None,
    typer.Option(
        "--region", "-r", metavar="REGION", help="Only this region of the file (repeatable)."
    ),
]
DEFAULT_SANDBOX_STATE = DEFAULT_STATE_PATH


def check_session_options(sandbox: bool, profile: str | None) -> None:
    """Refuse --profile with --sandbox (commands call it before any other output)."""
    if sandbox and profile is not None:
        # Ignoring it silently would let a user believe the profile's account was used.
        raise UsageError(
            "--profile and --sandbox do not go together: the sandbox uses no AWS credentials"
        )


@dataclass(frozen=True)
class Connection:
    """A session, and where the secret values plan compares and apply sends come from:
    their sources for AWS; in the embedded sandbox, what the sandbox holds instead."""

    session: Session
    values: SecretValues
    sandbox: bool = False


@contextmanager
def aws_session(sandbox: bool, state: Path, profile: str | None) -> Iterator[Session]:
    """A session for the real AWS, or for the embedded sandbox (saved on the way out)."""
    with aws_connection(sandbox, state, profile) as connection:
        yield connection.session


@contextmanager
def aws_connection(sandbox: bool, state: Path, profile: str | None) -> Iterator[Connection]:
    """Like aws_session, with the secret values' strategy: the real ones for AWS, the
    sandbox's stand-ins (ptc.sandbox.standin) for the sandbox."""
    check_session_options(sandbox, profile)
    if not sandbox:
        from ptc.aws.clients import make_session
        from ptc.plan.values import FROM_SOURCES

        session = make_session(profile)
        _collect_from_now_on()
        yield Connection(session, FROM_SOURCES)
        return
    try:
        from ptc.sandbox.embedded import running
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise PtcError(
            f"the sandbox needs moto: pip install 'ecr-ptc[sandbox]' ({exc.name} is missing)"
        ) from None
    from ptc.sandbox.standin import StandInValues

    with running(state) as info:
        assert info.stand_in is not None  # running() always opens the state's key
        session = info.session()
        _collect_from_now_on()
        yield Connection(session, StandInValues(info.stand_in), sandbox=True)


def _collect_from_now_on() -> None:
    """Turn the cyclic collector back on (ptc.cli.main turned it off for start-up), over
    what is allocated from now on: botocore leaves a few KiB of cycles behind every call,
    which would add up over the tens of thousands of calls of a run over many accounts.
    What start-up built (modules, models) is frozen: no collection walks it again."""
    gc.freeze()
    gc.enable()

"""The embedded sandbox behind `ptc plan/apply --sandbox`: in-process moto, state in a file.

running(path) loads the file if it exists, yields a SandboxInfo whose session() talks to the
in-process sandbox, and saves the file on the way out, so that `apply --sandbox` followed by
`plan --sandbox` shows no changes. Nothing leaves the process: no network, no AWS account,
no credentials or config file of the user's are read.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ptc.domain.catalog import DEFAULT_REGION
from ptc.sandbox import DEFAULT_ACCOUNT_ID, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY

if TYPE_CHECKING:
    import boto3

    from ptc.sandbox.standin import StandIn

# Variables that could steer botocore to a real account or endpoint while the sandbox runs.
_CLEARED: Final = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_ECR",
    "AWS_ENDPOINT_URL_ECS",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    # moto would put every caller in this one account, whatever role it assumed.
    "MOTO_ACCOUNT_ID",
)


@dataclass(frozen=True)
class SandboxInfo:
    """A running sandbox: where it is and how to reach it with boto3."""

    account_id: str
    region: str
    endpoint_url: str | None = None  # None: in-process, reached through moto's patching
    # What ptc sends instead of secret values (embedded only: a server's clients send theirs).
    stand_in: StandIn | None = field(default=None, repr=False)

    def session(self, region: str | None = None) -> boto3.Session:
        """A boto3 session with dummy credentials, in `region` (default: the sandbox's)."""
        import boto3
        import botocore.session

        core = botocore.session.get_session()
        # Each new session would parse botocore's JSON models again (~0.2 s); a shared loader
        # keeps tests that open many sessions fast. Credentials and region stay per session.
        core.register_component("data_loader", _shared_loader())
        return boto3.Session(
            botocore_session=core,
            aws_access_key_id=DUMMY_ACCESS_KEY,
            aws_secret_access_key=DUMMY_SECRET_KEY,
            region_name=region or self.region,
        )

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client of the sandbox, through its endpoint when it is a server."""
        session: Any = self.session(region)  # Any: boto3-stubs overloads want literal names
        return session.client(service, endpoint_url=self.endpoint_url)


@functools.cache
def _shared_loader() -> Any:
    import botocore.loaders

    return botocore.loaders.create_loader()


def dummy_environment(region: str) -> dict[str, str | None]:
    """The environment changes that keep boto3 inside the sandbox (None: unset)."""
    changes: dict[str, str | None] = dict.fromkeys(_CLEARED)
    changes.update(
        {
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            # The user's ~/.aws files must not be read: a profile there could name a
            # credential process or an SSO login.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return changes


@contextmanager
def patched_environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in changes}
    try:
        _apply(changes)
        yield
    finally:
        _apply(saved)


def _apply(changes: Mapping[str, str | None]) -> None:
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextmanager
def running(state_path: Path, region: str = DEFAULT_REGION) -> Iterator[SandboxInfo]:
    """An in-process sandbox whose state is loaded from and saved to `state_path`.

    The state is locked for the whole run (a second ptc on it is refused) and checked to be
    writable before anything runs; raises StateFileError or StateInUse otherwise.
    """
    from moto import mock_aws

    from ptc.sandbox import emulator, state, store

    with (
        store.opened(state_path) as stand_in,
        patched_environment(dummy_environment(region)),
        mock_aws(),
        emulator.unknown_kms_keys_exist(),
    ):
        emulator.install()
        if state_path.exists():
            state.load(state_path)
        try:
            yield SandboxInfo(account_id=DEFAULT_ACCOUNT_ID, region=region, stand_in=stand_in)
        finally:
            # Saved even after a failure: like AWS, the sandbox keeps what was applied.
            state.dump(state_path, stand_in)

"""Making ptc's botocore clients: only the models ptc uses are looked for."""

from __future__ import annotations

import os
from pathlib import Path

import botocore
import pytest
from botocore.exceptions import DataNotFoundError

from ptc.aws.clients import RETRY_CONFIG, make_session

MODELS = Path(botocore.__file__).parent / "data"


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every directory botocore lists from now on."""
    paths: list[Path] = []
    listdir = os.listdir

    def recording(path: str = ".") -> list[str]:
        paths.append(Path(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", recording)
    return paths


def test_making_clients_walks_no_other_services_models(listed: list[Path]) -> None:
    # botocore's own loader opens all 400-odd service directories, once per model type,
    # before it loads one model: that was most of the first client's cost.
    session = make_session()
    ecr = session.client("ecr", region_name="us-east-1", config=RETRY_CONFIG)
    ecr.get_paginator("describe_pull_through_cache_rules")
    session.client("sts", region_name="eu-west-1", config=RETRY_CONFIG)

    services = {path.name for path in listed if path.parent == MODELS}
    assert services == {"ecr", "sts"}
    assert ecr.can_paginate("describe_pull_through_cache_rules")
    assert not ecr.can_paginate("get_registry_policy")


def test_a_service_without_a_model_is_still_refused() -> None:
    with pytest.raises(DataNotFoundError, match="no-such-service"):
        make_session().client("no-such-service", region_name="us-east-1")


def test_sessions_from_copied_builtin_handlers_are_botocores_own_and_independent() -> None:
    import botocore.handlers

    from ptc.aws.clients import CoreSession, builtin_events

    plain, copied = CoreSession(), CoreSession(builtin_events=builtin_events())
    events = {spec[0] for spec in botocore.handlers.BUILTIN_HANDLERS}
    for event in sorted(events):
        for operation in ("", ".ecr.DescribeRepositories", ".sts.AssumeRole"):
            name = event + operation
            assert _handlers(copied, name) == _handlers(plain, name), name

    copied.events.register("before-call.ecr", _extra_handler)
    assert _extra_handler in _handlers(copied, "before-call.ecr.ListImages")
    fresh = CoreSession(builtin_events=builtin_events())
    assert _extra_handler not in _handlers(fresh, "before-call.ecr.ListImages")  # a copy


def _extra_handler(**_: object) -> None:
    return None


def _handlers(session: object, event: str) -> list[object]:
    emitter = session.core._original_handler  # type: ignore[attr-defined]
    return list(emitter._handlers.prefix_search(event))

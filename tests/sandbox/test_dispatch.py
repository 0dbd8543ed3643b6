"""The sandbox server finds a request's moto backend once per host, not once per request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from moto import backends
from moto.moto_server.werkzeug_app import create_backend_app

from ptc.sandbox import dispatch
from ptc.sandbox.embedded import SandboxInfo
from ptc.sandbox.server import start_background


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times moto listed its modules (its per-request backend lookup), by caller."""
    counted: Counter[str] = Counter()
    real = backends.list_of_moto_modules

    def listing() -> Iterable[str]:
        counted["list_of_moto_modules"] += 1
        return real()

    monkeypatch.setattr(backends, "list_of_moto_modules", listing)
    return counted


@pytest.fixture
def server() -> Iterator[str]:
    running = start_background()
    yield running.url
    running.stop()


def _client(url: str, service: str, region: str) -> Any:
    return SandboxInfo("123456789012", region, endpoint_url=url).client(service)


def test_many_requests_look_each_host_up_once(server: str, listings: Counter[str]) -> None:
    for region in ("us-east-1", "eu-west-1"):
        ecr = _client(server, "ecr", region)
        for _ in range(5):
            assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
        sts = _client(server, "sts", region)
        for _ in range(3):
            assert sts.get_caller_identity()["Account"] == "123456789012"

    # ecr and sts in two Regions: four hosts, each looked up once for its 16 requests.
    assert listings["list_of_moto_modules"] == 4


def test_the_backend_is_moto_s_own_answer(listings: Counter[str]) -> None:
    kept = dispatch.Dispatcher(create_backend_app)
    hosts = [
        "ecr.us-east-1.amazonaws.com",
        "sts.amazonaws.com",
        "secretsmanager",
        "nothing.example",
    ]
    first = [kept.get_backend_for_host(host) for host in hosts]
    again = [kept.get_backend_for_host(host) for host in hosts]

    assert first == again == ["ecr", "sts", "secretsmanager", None]
    assert kept.get_backend_for_host(None) is None
    assert listings["list_of_moto_modules"] == len(hosts)


def test_hosts_past_the_bound_are_looked_up_every_time(
    monkeypatch: pytest.MonkeyPatch, listings: Counter[str]
) -> None:
    monkeypatch.setattr(dispatch, "MAX_HOSTS", 1)
    kept = dispatch.Dispatcher(create_backend_app)
    for _ in range(3):
        assert kept.get_backend_for_host("ecr.us-east-1.amazonaws.com") == "ecr"
        assert kept.get_backend_for_host("ecr.made-up-9.amazonaws.com") == "ecr"

    # The first host is kept; the second, past the bound, costs a lookup each time.
    assert listings["list_of_moto_modules"] == 1 + 3

"""From a reference to its cached name, following ECR's prefix rules (facts doc 2.5, 2.6)."""

from __future__ import annotations

import pytest

from ptc.config.models import PtcFile
from ptc.rewrite.mapping import (
    CacheRule,
    Mapper,
    Status,
    Target,
    TargetError,
    cache_rules,
    choose_target,
)
from tests.rewrite.conftest import DIGEST, HOST, rules_file

ECR_UPSTREAM = "210987654321.dkr.ecr.us-west-2.amazonaws.com"

REWRITTEN = [
    ("official image gets library/", "nginx:1.25", f"{HOST}/docker-hub/library/nginx:1.25"),
    (
        "user image, digest kept",
        f"grafana/grafana@{DIGEST}",
        f"{HOST}/docker-hub/grafana/grafana@{DIGEST}",
    ),
    ("tag and digest kept", f"redis:7@{DIGEST}", f"{HOST}/docker-hub/library/redis:7@{DIGEST}"),
    ("no tag stays untagged", "nginx", f"{HOST}/docker-hub/library/nginx"),
    ("docker.io official", "docker.io/nginx", f"{HOST}/docker-hub/library/nginx"),
    ("index.docker.io", "index.docker.io/library/nginx:1", f"{HOST}/docker-hub/library/nginx:1"),
    ("registry-1 official", "registry-1.docker.io/nginx:1", f"{HOST}/docker-hub/library/nginx:1"),
    ("registry-1 user", "registry-1.docker.io/bitnami/redis", f"{HOST}/docker-hub/bitnami/redis"),
    (
        "quay",
        "quay.io/prometheus/node-exporter:v1.8.0",
        f"{HOST}/quay/prometheus/node-exporter:v1.8.0",
    ),
    ("upper-case tag kept", "ghcr.io/org/app:RC1", f"{HOST}/github/org/app:RC1"),
    ("ECR upstream prefix replaced", f"{ECR_UPSTREAM}/prod/api:2", f"{HOST}/ecr-prod/api:2"),
    ("ECR nested", f"{ECR_UPSTREAM}/prod/team/api:2", f"{HOST}/ecr-prod/team/api:2"),
]


@pytest.mark.parametrize(("case", "text", "target"), REWRITTEN, ids=[c[0] for c in REWRITTEN])
def test_rewritten(case: str, text: str, target: str, mapper: Mapper) -> None:
    resolution = mapper.resolve(text)
    assert (resolution.status, resolution.target) == (Status.REWRITTEN, target)


LEFT_ALONE = [
    (
        "already cached",
        f"{HOST}/docker-hub/library/nginx:1",
        Status.CACHED,
        "already on the target",
    ),
    ("own private repository", f"{HOST}/team/app", Status.CACHED, "already on the target"),
    (
        "unknown registry",
        "registry.example.com/app:1",
        Status.NO_RULE,
        "no rule for registry.example.com",
    ),
    (
        "supported upstream without a rule",
        "public.ecr.aws/nginx/nginx",
        Status.NO_RULE,
        "no rule for public.ecr.aws in us-east-1",
    ),
    ("rule in another region only", "registry.k8s.io/pause:3.9", Status.NO_RULE, "in us-east-1"),
    ("outside the upstream prefix", f"{ECR_UPSTREAM}/dev/api:1", Status.NO_RULE, "under prod/"),
    ("the upstream prefix itself", f"{ECR_UPSTREAM}/prod", Status.NO_RULE, "under prod/"),
    (
        "another partition's registry",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x",
        Status.NO_RULE,
        "no rule",
    ),
    ("invalid", "Nginx:1", Status.INVALID, "must be lowercase"),
    ("image ID", "a" * 64, Status.INVALID, "image ID"),
    ("variable", "${REGISTRY}/app:1", Status.VARIABLE, "variable"),
    ("ARG tag", "nginx:$TAG", Status.VARIABLE, "variable"),
    ("Helm template", "{{ .Values.image }}", Status.NOT_IMAGE, "a template"),
    ("Jinja template", "{% if a %}nginx{% endif %}", Status.NOT_IMAGE, "a template"),
    ("Istio injection", "auto", Status.NOT_IMAGE, "Istio"),
    ("empty", "", Status.NOT_IMAGE, "empty"),
    ("blank (OpenShift image trigger)", " ", Status.NOT_IMAGE, "empty"),
    ("host not valid, read as a path", "foo_bar.com/x", Status.NO_RULE, "no rule"),
]


@pytest.mark.parametrize(
    ("case", "text", "status", "detail"), LEFT_ALONE, ids=[c[0] for c in LEFT_ALONE]
)
def test_left_alone(case: str, text: str, status: Status, detail: str, mapper: Mapper) -> None:
    resolution = mapper.resolve(text)
    assert resolution.status is status
    assert resolution.target is None
    assert detail in resolution.detail


def _mapper(*rules: CacheRule, region: str = "us-east-1") -> Mapper:
    return Mapper(rules, Target("123456789012", region))


def test_prefix_equal_to_upstream_prefix_keeps_the_name() -> None:
    # facts doc 2.5: team-a + team-a maps team-a/myapp/image1 to team-a/myapp/image1
    mapper = _mapper(CacheRule("team-a", ECR_UPSTREAM, "team-a"))
    assert mapper.resolve(f"{ECR_UPSTREAM}/team-a/myapp/image1").target == (
        f"{HOST}/team-a/myapp/image1"
    )


def test_root_prefix_maps_a_repository_to_itself() -> None:
    mapper = _mapper(CacheRule("ROOT", ECR_UPSTREAM))
    assert mapper.resolve(f"{ECR_UPSTREAM}/my-app/image1:1").target == f"{HOST}/my-app/image1:1"


def test_the_most_specific_upstream_prefix_wins() -> None:
    mapper = _mapper(
        CacheRule("ecr", ECR_UPSTREAM),
        CacheRule("ecr-prod", ECR_UPSTREAM, "prod"),
    )
    assert mapper.resolve(f"{ECR_UPSTREAM}/prod/api").target == f"{HOST}/ecr-prod/api"
    assert mapper.resolve(f"{ECR_UPSTREAM}/dev/api").target == f"{HOST}/ecr/dev/api"


def test_a_named_prefix_wins_over_root() -> None:
    mapper = _mapper(CacheRule("ROOT", "quay.io"), CacheRule("quay", "quay.io"))
    assert mapper.resolve("quay.io/a/b").target == f"{HOST}/quay/a/b"


def test_a_root_rule_shadowed_by_another_prefix_is_not_used() -> None:
    # ROOT would cache quay.io/quay/x as "quay/x", which the "quay" rule of ghcr.io serves.
    mapper = _mapper(CacheRule("ROOT", "quay.io"), CacheRule("quay", "ghcr.io"))
    resolution = mapper.resolve("quay.io/quay/x")
    assert resolution.status is Status.NO_RULE
    assert "served by another rule" in resolution.detail
    assert mapper.resolve("quay.io/other/x").target == f"{HOST}/other/x"


def test_a_longer_ecr_prefix_routes_the_pull() -> None:
    # "team" would cache quay.io/a/b as team/a/b, but "team/a" is the longer prefix.
    mapper = _mapper(CacheRule("team", "quay.io"), CacheRule("team/a", "ghcr.io"))
    assert mapper.resolve("quay.io/a/b").status is Status.NO_RULE
    assert mapper.resolve("quay.io/c/b").target == f"{HOST}/team/c/b"


def test_a_cached_name_too_long_for_ecr_is_invalid() -> None:
    mapper = _mapper(CacheRule("docker-hub", "registry-1.docker.io"))
    resolution = mapper.resolve("a" * 200 + "/b")
    assert resolution.status is Status.INVALID
    assert "too long" in resolution.detail


def test_results_are_memoised(mapper: Mapper) -> None:
    assert mapper.resolve("nginx") is mapper.resolve("nginx")


def test_cache_rules_normalise_prefixes_and_regions() -> None:
    file = rules_file()
    assert [r.prefix for r in cache_rules(file, "us-east-1")] == [
        "docker-hub", "quay", "github", "ecr-prod",
    ]  # fmt: skip
    assert cache_rules(file, "eu-west-1")[-1] == CacheRule("kubernetes", "registry.k8s.io")
    assert cache_rules(file, "us-east-1")[0].upstream_url == "registry-1.docker.io"


def test_trailing_slash_and_root_upstream_prefix() -> None:
    file = PtcFile.model_validate(
        {
            "version": 1,
            "regions": ["us-east-1"],
            "rules": [
                {"prefix": "a/", "upstream": "quay.io", "upstream_prefix": "ROOT"},
                {"prefix": "b", "upstream": "docker.io", "upstream_prefix": "x/"},
            ],
        }
    )
    assert cache_rules(file, "us-east-1") == [
        CacheRule("a", "quay.io"),
        CacheRule("b", "registry-1.docker.io", "x"),
    ]


# -- the target registry -------------------------------------------------------------------


def test_target_defaults_to_the_files_account_and_only_region() -> None:
    file = rules_file().model_copy(update={"regions": ["eu-west-1"]})
    assert choose_target(file, None, None) == Target("123456789012", "eu-west-1")


def test_several_regions_need_region() -> None:
    with pytest.raises(TargetError, match=r"lists 2 regions \(us-east-1, eu-west-1\); choose one"):
        choose_target(rules_file(), None, None)


def test_region_outside_the_file_is_refused() -> None:
    with pytest.raises(TargetError, match="region 'us-west-2' is not in the rules file"):
        choose_target(rules_file(), None, "us-west-2")


def test_account_option_wins_and_is_checked() -> None:
    assert choose_target(rules_file(), "111122223333", "us-east-1").account == "111122223333"
    with pytest.raises(TargetError, match="not a 12-digit"):
        choose_target(rules_file(), "12345", "us-east-1")


def test_a_file_without_account_needs_the_option() -> None:
    file = rules_file().model_copy(update={"account": None})
    with pytest.raises(TargetError, match="give one with --account"):
        choose_target(file, None, "us-east-1")
    assert TargetError.exit_code == 64


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us-east-1", "123456789012.dkr.ecr.us-east-1.amazonaws.com"),
        ("cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"),
    ],
)
def test_partition_aware_host(region: str, host: str) -> None:
    mapper = _mapper(CacheRule("quay", "quay.io"), region=region)
    assert mapper.resolve("quay.io/a/b").target == f"{host}/quay/a/b"

"""Each input kind, as before/after pairs: only the references change, byte for byte."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptc.rewrite import compose, dockerfile, ecs, kubernetes
from ptc.rewrite.detect import ManifestError, ManifestKind, locate
from ptc.rewrite.documents import (
    LineIndex,
    dotted,
    json_occurrences,
    json_occurrences_fast,
    keyed_values,
)
from ptc.rewrite.mapping import Mapper, Status
from tests.rewrite.conftest import DIGEST, HOST, results, rewrite

HUB = f"{HOST}/docker-hub"

# -- Dockerfiles ---------------------------------------------------------------------------

DOCKERFILES = [
    ("plain FROM", "FROM nginx:1.25\n", f"FROM {HUB}/library/nginx:1.25\n"),
    ("lower-case instruction", "from nginx\n", f"from {HUB}/library/nginx\n"),
    (
        "platform flag",
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n",
        f"FROM --platform=$BUILDPLATFORM {HUB}/library/golang:1.22 AS build\n",
    ),
    (
        "stages",
        "FROM golang:1.22 AS build\nRUN make\nFROM build AS test\nFROM Build\n",
        f"FROM {HUB}/library/golang:1.22 AS build\nRUN make\nFROM build AS test\nFROM Build\n",
    ),
    ("scratch", "FROM scratch\nCOPY app /\n", "FROM scratch\nCOPY app /\n"),
    (
        "COPY --from image, stage and index",
        "FROM alpine AS a\nCOPY --from=a /x /x\nCOPY --from=0 /y /y\n"
        "COPY --chown=1:1 --from=quay.io/org/tools:1 /bin/t /t\n",
        f"FROM {HUB}/library/alpine AS a\nCOPY --from=a /x /x\nCOPY --from=0 /y /y\n"
        f"COPY --chown=1:1 --from={HOST}/quay/org/tools:1 /bin/t /t\n",
    ),
    (
        "ARG default used in FROM is rewritten; a variable tag is not",
        "ARG BASE=nginx:1.25\nARG TAG=7\nFROM ${BASE}\nFROM redis:$TAG\n",
        f"ARG BASE={HUB}/library/nginx:1.25\nARG TAG=7\nFROM ${{BASE}}\nFROM redis:$TAG\n",
    ),
    (
        "ARG in a stage is not used by FROM",
        "FROM alpine\nARG BASE=nginx\nFROM $BASE\n",
        f"FROM {HUB}/library/alpine\nARG BASE=nginx\nFROM $BASE\n",
    ),
    (
        "ARG redeclared: the last default before FROM",
        "ARG BASE=nginx\nARG BASE=redis\nFROM $BASE\n",
        f"ARG BASE=nginx\nARG BASE={HUB}/library/redis\nFROM $BASE\n",
    ),
    (
        "inline default in FROM",
        "FROM ${BASE:-nginx} AS a\nFROM ${OTHER-quay.io/o/x:1}\n",
        f"FROM ${{BASE:-{HUB}/library/nginx}} AS a\nFROM ${{OTHER-{HOST}/quay/o/x:1}}\n",
    ),
    (
        "RUN --mount from an image, a stage and a stage number",
        "FROM alpine AS a\nRUN --mount=type=bind,from=a,target=/a --mount=from=0 \\\n"
        "  --mount=target=/t,from=quay.io/o/t:1,ro x\n",
        f"FROM {HUB}/library/alpine AS a\n"
        "RUN --mount=type=bind,from=a,target=/a --mount=from=0 \\\n"
        f"  --mount=target=/t,from={HOST}/quay/o/t:1,ro x\n",
    ),
    (
        "continuation and comment inside it",
        "FROM \\\n# the base\n    nginx:1 \\\n    AS web\n",
        f"FROM \\\n# the base\n    {HUB}/library/nginx:1 \\\n    AS web\n",
    ),
    (
        "heredoc body is not an instruction",
        "FROM alpine\nRUN <<EOF\nFROM nginx\nEOF\nCOPY <<-'X' /a\n\tFROM redis\n\tX\n",
        f"FROM {HUB}/library/alpine\nRUN <<EOF\nFROM nginx\nEOF\n"
        "COPY <<-'X' /a\n\tFROM redis\n\tX\n",
    ),
    (
        "escape directive",
        "# escape=`\nFROM `\n  nginx\nRUN dir c:\\\n",
        f"# escape=`\nFROM `\n  {HUB}/library/nginx\nRUN dir c:\\\n",
    ),
    (
        "CRLF and digest",
        f"# syntax=docker/dockerfile:1\r\nFROM nginx@{DIGEST}\r\nRUN x\r\n",
        f"# syntax=docker/dockerfile:1\r\nFROM {HUB}/library/nginx@{DIGEST}\r\nRUN x\r\n",
    ),
    (
        "already cached and no rule",
        f"FROM {HUB}/library/nginx\nFROM example.com/app\n",
        f"FROM {HUB}/library/nginx\nFROM example.com/app\n",
    ),
    ("no final newline", "FROM nginx", f"FROM {HUB}/library/nginx"),
]


@pytest.mark.parametrize(("case", "before", "after"), DOCKERFILES, ids=[c[0] for c in DOCKERFILES])
def test_dockerfile(case: str, before: str, after: str, mapper: Mapper) -> None:
    assert rewrite(before, mapper, "Dockerfile") == after


def test_dockerfile_occurrences() -> None:
    text = "ARG V=1\nFROM nginx:$V AS a\n\nCOPY --from=quay.io/x/y /a /b\n"
    found = dockerfile.find(text)
    assert [(o.line, o.column, o.value, o.where) for o in found] == [
        (2, 6, "nginx:$V", "FROM"),
        (4, 13, "quay.io/x/y", "COPY --from"),
    ]
    assert all(text[o.start : o.end] == o.value for o in found)


def test_dockerfile_arg_reference_is_reported_as_variable(mapper: Mapper) -> None:
    [result] = results("ARG BASE\nFROM ${BASE}\n", mapper, "Dockerfile")
    assert (result.status, result.occurrence.line) == (Status.VARIABLE, 2)


# -- Kubernetes ----------------------------------------------------------------------------

DEPLOYMENT = """\
# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    image: nginx   # not a container: left alone
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: 'busybox:1.36'
      containers:
        - name: web
          image: "nginx:1.25"     # pinned
        - {name: side, image: quay.io/org/side:v1, ports: [{containerPort: 80}]}
        - name: own
          image: registry.example.com/own:1
"""
DEPLOYMENT_AFTER = (
    DEPLOYMENT.replace("'busybox:1.36'", f"'{HUB}/library/busybox:1.36'")
    .replace('"nginx:1.25"', f'"{HUB}/library/nginx:1.25"')
    .replace("image: quay.io/org/side:v1", f"image: {HOST}/quay/org/side:v1")
)


def test_deployment_block_flow_and_quotes(mapper: Mapper) -> None:
    assert rewrite(DEPLOYMENT, mapper) == DEPLOYMENT_AFTER


def test_deployment_with_crlf_and_bom(mapper: Mapper) -> None:
    before = "\ufeff" + DEPLOYMENT.replace("\n", "\r\n")
    assert rewrite(before, mapper) == "\ufeff" + DEPLOYMENT_AFTER.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("Pod", "spec:\n  {c}"),
        ("PodTemplate", "template:\n  spec:\n    {c}"),
        ("StatefulSet", "spec:\n  template:\n    spec:\n      {c}"),
        ("DaemonSet", "spec:\n  template:\n    spec:\n      {c}"),
        ("ReplicaSet", "spec:\n  template:\n    spec:\n      {c}"),
        ("ReplicationController", "spec:\n  template:\n    spec:\n      {c}"),
        ("Job", "spec:\n  template:\n    spec:\n      {c}"),
        (
            "CronJob",
            "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          {c}",
        ),
    ],
)
def test_every_workload_kind(kind: str, spec: str, mapper: Mapper) -> None:
    containers = "containers: [{name: a, image: nginx}]"
    before = f"apiVersion: v1\nkind: {kind}\n" + spec.format(c=containers) + "\n"
    assert rewrite(before, mapper) == before.replace("image: nginx", f"image: {HUB}/library/nginx")


def test_ephemeral_containers_and_paths() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: a\n"
        "  ephemeralContainers:\n  - image: b\n"
    )
    assert [(o.value, o.where, o.line) for o in kubernetes.find(text)] == [
        ("a", "spec.containers[0].image", 5),
        ("b", "spec.ephemeralContainers[0].image", 7),
    ]


def test_multi_document_stream_and_list(mapper: Mapper) -> None:
    before = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {image: nginx}}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  spec:
    containers: [{image: redis}]
...
---
apiVersion: batch/v1
kind: Job
spec: {template: {spec: {containers: [{image: "ghcr.io/o/j:1"}]}}}
"""
    after = before.replace("{image: redis}", f"{{image: {HUB}/library/redis}}").replace(
        '"ghcr.io/o/j:1"', f'"{HOST}/github/o/j:1"'
    )
    assert rewrite(before, mapper) == after


def test_anchor_and_alias_are_one_edit(mapper: Mapper) -> None:
    before = (
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n"
        "  - {name: a, image: &img nginx}\n  - {name: b, image: *img}\n"
    )
    found = results(before, mapper)
    assert len(found) == 1
    assert rewrite(before, mapper) == before.replace("&img nginx", f"&img {HUB}/library/nginx")


def test_tagged_scalar(mapper: Mapper) -> None:
    before = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: !!str nginx\n"
    assert rewrite(before, mapper) == before.replace("nginx", f"{HUB}/library/nginx")


@pytest.mark.parametrize("header", [">-", "|", ">", "|-", "|+", ">2-", "&a >-", "!!str |"])
def test_block_scalar_is_rewritten_in_its_style(header: str, mapper: Mapper) -> None:
    before = f"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: {header}\n      nginx\n"
    [result] = results(before, mapper)
    assert (result.status, result.occurrence.line, result.occurrence.column) == (
        Status.REWRITTEN,
        6,
        7,
    )
    assert rewrite(before, mapper) == before.replace(" nginx", f" {HUB}/library/nginx")


def test_block_scalar_over_lines_is_not_rewritten(mapper: Mapper) -> None:
    before = (
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: >-\n      nginx\n      :1\n"
    )
    [result] = results(before, mapper)
    assert result.status is Status.INVALID
    assert result.resolution.detail == (
        "a block scalar that is not one plain line of text; invalid reference format"
    )
    assert rewrite(before, mapper) == before


def test_a_problem_that_would_be_rewritten_is_blocked(mapper: Mapper) -> None:
    before = "images:\n- name:\n    nginx\n"
    [result] = results(before, mapper, "kustomization.yaml")
    assert result.status is Status.BLOCKED
    assert result.resolution.target == f"{HUB}/library/nginx"
    assert result.resolution.pulls_upstream
    assert rewrite(before, mapper, "kustomization.yaml") == before


def test_kubernetes_as_json(mapper: Mapper) -> None:
    before = json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx"}]}}},
        },
        indent=4,
    )
    assert rewrite(before, mapper, "deploy.json") == before.replace(
        '"nginx"', f'"{HUB}/library/nginx"'
    )


# -- docker-compose ------------------------------------------------------------------------

COMPOSE = """\
x-defaults: &defaults
  image: redis:7
  restart: always
services:
  cache:
    <<: *defaults
  web:
    image: "nginx:${NGINX_TAG:-1.25}"
  build-only:
    build: .
  built-and-tagged:
    build: ./app
    image: myorg/app:dev
  db:
    image: postgres:16 # comment
"""


def test_compose(mapper: Mapper) -> None:
    after = COMPOSE.replace("image: redis:7", f"image: {HUB}/library/redis:7").replace(
        "postgres:16", f"{HUB}/library/postgres:16"
    )
    assert rewrite(COMPOSE, mapper, "compose.yaml") == after
    statuses = [(r.occurrence.value, r.status) for r in results(COMPOSE, mapper)]
    assert statuses == [
        ("redis:7", Status.REWRITTEN),
        ("nginx:${NGINX_TAG:-1.25}", Status.VARIABLE),
        ("postgres:16", Status.REWRITTEN),
    ]


def test_compose_find_paths() -> None:
    assert [o.where for o in compose.find("services:\n  a: {image: x}\n")] == ["services.a.image"]


# -- ECS task definitions ------------------------------------------------------------------

REGISTER = """\
{
  "family": "web",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "nginx:1.25",
      "dockerLabels": {"image": "nginx"},
      "environment": [{"name": "image", "value": "redis"}]
    },
    {"name": "side", "image": "quay.io\\/org\\/side:v1"}
  ]
}
"""


def test_register_task_definition_input(mapper: Mapper) -> None:
    after = REGISTER.replace('"image": "nginx:1.25"', f'"image": "{HUB}/library/nginx:1.25"')
    after = after.replace('"quay.io\\/org\\/side:v1"', f'"{HOST}/quay/org/side:v1"')
    assert rewrite(REGISTER, mapper, "td.json") == after
    assert json.loads(after)["containerDefinitions"][0]["dockerLabels"] == {"image": "nginx"}


def test_describe_output_with_tabs(mapper: Mapper) -> None:
    before = '{\n\t"taskDefinition": {\n\t\t"containerDefinitions": [{"image": "redis"}]\n\t}\n}'
    assert rewrite(before, mapper) == before.replace('"redis"', f'"{HUB}/library/redis"')


def test_list_of_task_definitions(mapper: Mapper) -> None:
    before = (
        '[{"containerDefinitions": [{"image": "a"}]},'
        ' {"taskDefinition": {"containerDefinitions": [{"image": "b"}, {"image": "c"}]}}]'
    )
    found = ecs.find(before)
    assert [o.where for o in found] == [
        "[0].containerDefinitions[0].image",
        "[1].taskDefinition.containerDefinitions[0].image",
        "[1].taskDefinition.containerDefinitions[1].image",
    ]
    assert rewrite(before, mapper).count(f"{HUB}/library/") == 3


def test_json_escapes_in_keys_and_strings(mapper: Mapper) -> None:
    before = '{"containerDefinitions": [{"na\\"me": "\\"image\\"", "im\\u0061ge": "nginx"}]}'
    assert rewrite(before, mapper) == before.replace('"nginx"', f'"{HUB}/library/nginx"')


def test_ecs_with_bom(mapper: Mapper) -> None:
    before = '\ufeff{"containerDefinitions": [{"image": "nginx"}]}\r\n'
    assert rewrite(before, mapper) == before.replace("nginx", f"{HUB}/library/nginx")


# -- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "kinds"),
    [
        ("Dockerfile", "# c\n\nFROM a\n", (ManifestKind.DOCKERFILE,)),
        ("build.txt", "ARG X\nFROM a\n", (ManifestKind.DOCKERFILE,)),
        ("Containerfile", "RUN x\n", (ManifestKind.DOCKERFILE,)),
        ("web.dockerfile", "", (ManifestKind.DOCKERFILE,)),
        ("x", "apiVersion: v1\nkind: Pod\n", (ManifestKind.KUBERNETES,)),
        ("x", "services: {a: {image: b}}\n", (ManifestKind.COMPOSE,)),
        ("x", '{"containerDefinitions": []}', ()),
        ("x", '{"containerDefinitions": [{"image": "a"}]}', (ManifestKind.ECS,)),
        ("x", "containerDefinitions:\n- image: a\n", (ManifestKind.ECS,)),
        (
            "x",
            "apiVersion: v1\nkind: Pod\n---\nservices: {}\n",
            (ManifestKind.KUBERNETES, ManifestKind.COMPOSE),
        ),
        ("x", "{a: b}", ()),
        ("README.md", "# Title\n\nSome text.\n", ()),
        ("x", "", ()),
        (
            "x",
            "apiVersion: v1\nkind: ConfigMap\ndata: {services: {}}\n",
            (ManifestKind.KUBERNETES,),
        ),
        ("kustomization.yaml", "images: [{name: a}]\n", (ManifestKind.KUSTOMIZE,)),
        ("Kustomization", "resources: [a.yaml]\n", (ManifestKind.KUSTOMIZE,)),
        (
            "x",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
            (ManifestKind.KUSTOMIZE,),
        ),
        (
            "x",
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n",
            (ManifestKind.KUSTOMIZE,),
        ),
        ("values.yaml", "image: {repository: nginx}\n", (ManifestKind.HELM,)),
        ("values-prod.yml", "a: {image: nginx}\n", (ManifestKind.HELM,)),
        ("values.yaml", "replicas: 2\n", ()),
        ("values.yaml", "apiVersion: v1\nkind: Pod\n", (ManifestKind.KUBERNETES,)),
        ("prod.yaml", "image: {repository: nginx}\n", ()),
        ("myvalues.yaml", "image: nginx\n", ()),
    ],
)
def test_detection(name: str, text: str, kinds: tuple[ManifestKind, ...]) -> None:
    assert locate(text, name).kinds == kinds


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("x.json", '{"a": 1,}', "not valid JSON: Expecting property name"),
        ("x", '{"a": [1, 2}', "not valid JSON: "),
        ("x.json", "a: b\n", "not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        (
            "x.yaml",
            "a: [\n",
            "not valid YAML: did not find expected node content (line 2, column 1)",
        ),
        (
            "x.yaml",
            "a: b\n c: d\n",
            "not valid YAML: mapping values are not allowed in this context (line 2, column 3)",
        ),
        ("x.yaml", "a: \x07\n", "not valid YAML: "),
    ],
)
def test_invalid_structured_input(name: str, text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        locate(text, name)


# -- the two JSON locating strategies agree ------------------------------------------------

_KEYS = st.sampled_from(["image", "containerDefinitions", "name", 'im"age', "x"])
_JSON = st.recursive(
    st.none() | st.integers() | st.sampled_from(["nginx", "a\\b", '"image": "x"', "é"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(data=_JSON, indent=st.sampled_from([None, 2, "\t"]), ascii_only=st.booleans())
def test_fast_json_locating_matches_the_scanner(
    data: object, indent: object, ascii_only: bool
) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)  # type: ignore[arg-type]
    wanted = [p for p, v in keyed_values(data, "image", ()) if isinstance(v, str)]
    lines = LineIndex(text)
    fast = json_occurrences_fast(text, data, wanted, lines)
    slow = json_occurrences(text, wanted, lines)
    assert [o.where for o in slow] == [dotted(p) for p in wanted]
    assert all(json.loads(f'"{text[o.start : o.end]}"') == o.value for o in slow)
    if fast is not None:
        assert fast == slow


def test_duplicate_keys_fall_back_to_the_scanner(mapper: Mapper) -> None:
    before = '{"containerDefinitions": [{"image": "redis", "image": "nginx"}]}'
    text = before
    assert json_occurrences_fast(text, json.loads(text), [("containerDefinitions", 0, "image")],
                                 LineIndex(text)) is None  # fmt: skip
    # Both spellings are rewritten: whichever one a reader keeps is then on the cache.
    assert rewrite(before, mapper) == (
        f'{{"containerDefinitions": [{{"image": "{HUB}/library/redis", '
        f'"image": "{HUB}/library/nginx"}}]}}'
    )


def test_dockerfile_with_bom(mapper: Mapper) -> None:
    before = "\ufeffFROM nginx\r\n"
    assert locate(before, "x").kinds == (ManifestKind.DOCKERFILE,)
    assert rewrite(before, mapper) == f"\ufeffFROM {HUB}/library/nginx\r\n"


def test_yaml_flow_mapping_that_is_not_json(mapper: Mapper) -> None:
    before = "{apiVersion: v1, kind: Pod, spec: {containers: [{image: nginx}]}}"
    assert rewrite(before, mapper, "pod.yaml") == before.replace("nginx", f"{HUB}/library/nginx")
    with pytest.raises(ManifestError, match="not valid JSON"):
        locate(before, "pod.json")

"""`ptc iam-policy`: the proof that each generated policy is sufficient and minimal.

Each command runs for real against the embedded sandbox (`--sandbox --sandbox-state tmp`)
with a file that uses every feature. A botocore `before-call` hook records every operation
and the resource it targets (from the request parameters, as IAM would see it), plus the
dependent actions the Service Authorization Reference lists for it. Then:
(a) sufficiency: the policy generated for that file allows every recorded call;
(b) minimality: every action in the policies was recorded in one of the command's runs.
Adding a command is one entry in SCENARIOS.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.config.models import PtcFile
from ptc.errors import EXIT_USAGE
from ptc.iam_policy import COMMANDS, Command, Scope, build_policy, load_file, secret_arn

ACCOUNT = "123456789012"
ENV = {"COLUMNS": "120", "DOCKERHUB_USERNAME": "octocat", "DOCKERHUB_TOKEN": "token-1"}
ENV_2 = {**ENV, "DOCKERHUB_TOKEN": "token-2"}  # a new value: apply updates the secrets
IAM_PREFIX = {"ecr": "ecr", "secretsmanager": "secretsmanager", "sts": "sts", "ecs": "ecs"}
# What AWS authorizes without any permission (GetCallerIdentity cannot even be denied).
FREE = {"sts:GetCallerIdentity"}
PERMISSIONS = "permissions" in PtcFile.model_fields


def _file(*, variant: str = "a") -> str:
    """The feature-complete file; variant b changes what apply updates and prunes."""
    role = f"arn:aws:iam::{ACCOUNT}:role/ptc-pull-through" + ("" if variant == "a" else "-2")
    data: dict[str, Any] = {
        "version": 1,
        "account": ACCOUNT,
        "regions": ["us-east-1", "eu-west-1"],
        "prune": variant != "a",
        "rules": [
            {
                "prefix": "docker-hub",
                "upstream": "registry-1.docker.io",
                "credentials": "ecr-pullthroughcache/docker-hub",
            },
            {
                "prefix": "ecr-prod",
                "upstream": "210987654321.dkr.ecr.us-west-2.amazonaws.com",
                "upstream_prefix": "prod",
                # b: another role, which ECR updates in place
                "role": role,
                "regions": ["us-east-1"],
            },
            # b: another upstream prefix, which ECR cannot update: a replace
            {"prefix": "quay", "upstream": "quay.io", "upstream_prefix": f"prom-{variant}"},
        ],
        "secrets": [
            {
                "name": "ecr-pullthroughcache/docker-hub",
                "username": {"env": "DOCKERHUB_USERNAME"},
                "access_token": {"env": "DOCKERHUB_TOKEN"},
            }
        ],
        "templates": [
            {
                "prefix": "docker-hub",
                "applied_for": ["PULL_THROUGH_CACHE"],
                "description": "Docker Hub" if variant == "a" else "Docker Hub, 5 images",
                "lifecycle_policy": _keep(10 if variant == "a" else 5),
                "repository_policy": _pull_policy(variant),
                "resource_tags": {"team": "platform" if variant == "a" else "cache"},
                "role": f"arn:aws:iam::{ACCOUNT}:role/ecr-template",
            },
            {"prefix": "ROOT", "applied_for": ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"]},
        ],
    }
    if variant == "a":  # dropped by b, which prunes
        data["rules"].append({"prefix": "k8s", "upstream": "registry.k8s.io"})
        data["templates"].append({"prefix": "k8s", "applied_for": ["PULL_THROUGH_CACHE"]})
    if PERMISSIONS:
        principal = f"arn:aws:iam::{ACCOUNT}:role/ci"
        data["permissions"] = [
            {"sid": "CiPulls", "principals": [principal], "prefixes": ["docker-hub"]}
            if variant == "a"
            else {"sid": "CiPulls", "absent": True}
        ]
    return yaml.safe_dump(data, sort_keys=False)


def _keep(count: int) -> dict[str, Any]:
    selection = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count}
    return {"rules": [{"rulePriority": 1, "selection": selection, "action": {"type": "expire"}}]}


def _pull_policy(variant: str) -> dict[str, Any]:
    actions = ["ecr:BatchGetImage"] + (["ecr:GetDownloadUrlForLayer"] if variant != "a" else [])
    statement = {
        "Sid": "Pull",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": actions,
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


# -- the recorder ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One authorization AWS makes: an action on a resource, in a region, with context."""

    action: str
    resource: str
    region: str
    context: tuple[tuple[str, str], ...] = ()


def _secret(region: str, secret_id: str) -> str:
    if secret_id.startswith("arn:"):
        return secret_id
    # A name: IAM sees the secret's full ARN, with its 6 random characters.
    return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{secret_id}-Ab12Cd"


def _repository(region: str, name: str) -> str:
    return f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{name}"


def _dependents(operation: str, region: str, params: dict[str, Any]) -> list[Call]:
    """The Service Authorization Reference's dependent actions of a request."""
    calls: list[Call] = []
    role = params.get("customRoleArn")
    if role:
        calls.append(Call("iam:PassRole", role, region, (("service", "ecr.amazonaws.com"),)))
    if operation == "RegisterTaskDefinition":
        tasks = (("service", "ecs-tasks.amazonaws.com"),)
        for key in ("taskRoleArn", "executionRoleArn"):
            if params.get(key):
                calls.append(Call("iam:PassRole", params[key], region, tasks))
        if params.get("tags"):
            # ECS tagging authorization: checked on the revision being created.
            created = f"arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{params['family']}:2"
            context = (("ecs:CreateAction", "RegisterTaskDefinition"),)
            calls.append(Call("ecs:TagResource", created, region, context))
    if operation.endswith("RepositoryCreationTemplate") and not operation.startswith("Delete"):
        prefix = params["prefix"]
        # Checked on the repositories the template shapes (an assumption; see ptc/iam_policy).
        repos = _repository(region, "*" if prefix == "ROOT" else f"{prefix}/*")
        calls.append(Call("ecr:CreateRepository", repos, region))
        if params.get("lifecyclePolicy"):
            calls.append(Call("ecr:PutLifecyclePolicy", repos, region))
        if params.get("repositoryPolicy"):
            calls.append(Call("ecr:SetRepositoryPolicy", repos, region))
    return calls


def _resources(action: str, region: str, params: dict[str, Any]) -> list[Call]:
    if "repositoryName" in params:
        return [Call(action, _repository(region, params["repositoryName"]), region)]
    if "resourceArn" in params:
        return [Call(action, params["resourceArn"], region)]
    if action == "ecr:DescribeRepositories":
        names = params.get("repositoryNames") or ["*"]
        return [Call(action, _repository(region, n), region) for n in names]
    if "SecretId" in params or action == "secretsmanager:CreateSecret":
        secret_id = params.get("SecretId") or params["Name"]
        return [Call(action, _secret(region, secret_id), region)]
    calls = [Call(action, "*", region)]
    for secret_id in params.get("SecretIdList", []):  # BatchGetSecretValue
        calls.append(Call("secretsmanager:GetSecretValue", _secret(region, secret_id), region))
    return calls


def calls_of(service: str, operation: str, region: str, params: dict[str, Any]) -> list[Call]:
    action = f"{IAM_PREFIX[service]}:{operation}"
    if action in FREE:
        return [Call(action, "*", region)]
    return _resources(action, region, params) + _dependents(operation, region, params)


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)

    def hook(self, session: Any) -> None:
        """Register on the session's events before any client exists: clients copy them."""
        session.events.register("before-parameter-build", self._keep_params)
        session.events.register("before-call", self._record)

    @staticmethod
    def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        # before-call sees the serialized body; the parameters are easier to read here.
        context["ptc_test_params"] = dict(params)

    def _record(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        params = context.get("ptc_test_params", {})
        self.calls += calls_of(service, model.name, context["client_region"], params)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Every session a command opens (ptc.cli.*.aws_session/aws_connection) gets the hooks."""
    import ptc.cli.aws

    recorder = Recorder()
    original = ptc.cli.aws.aws_session
    original_connection = ptc.cli.aws.aws_connection

    @contextlib.contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with original(*args, **kwargs) as session:
            recorder.hook(session)
            yield session

    @contextlib.contextmanager
    def recording_connection(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with original_connection(*args, **kwargs) as connection:
            recorder.hook(connection.session)
            yield connection

    for name in ("plan", "status", "validate", "rewrite"):
        module = importlib.import_module(f"ptc.cli.{name}")
        if hasattr(module, "aws_session"):
            monkeypatch.setattr(module, "aws_session", recording)
        if hasattr(module, "aws_connection"):
            monkeypatch.setattr(module, "aws_connection", recording_connection)
    return recorder


# -- the evaluator -------------------------------------------------------------------------


def _matches(pattern: str, value: str, *, case: bool = True) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _conditions_hold(condition: dict[str, Any], call: Call) -> bool:
    context = {"aws:RequestedRegion": call.region, **dict(call.context)}
    if "service" in context:
        context["iam:PassedToService"] = context.pop("service")
    for operator, keys in condition.items():
        assert operator == "StringEquals", f"the evaluator knows StringEquals only: {operator}"
        for key, wanted in keys.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            if context.get(key) not in values:
                return False
    return True


def allows(policy: dict[str, Any], call: Call) -> bool:
    """Whether an Allow statement covers the call (no Deny: ptc never writes one)."""
    if call.action in FREE:
        return True
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        resources = statement["Resource"]
        if (
            any(_matches(a, call.action, case=False) for a in _listed(actions))
            and any(_matches(r, call.resource) for r in _listed(resources))
            and _conditions_hold(statement.get("Condition", {}), call)
        ):
            return True
    return False


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in _listed(s["Action"])}


# -- the scenarios -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One CLI run: `command FILE` with `text` as FILE; recorded runs are checked."""

    command: tuple[str, ...]
    text: str
    recorded: bool = True
    env: dict[str, str] = field(default_factory=lambda: ENV)
    exit_codes: tuple[int, ...] = (0,)


APPLY = ("apply", "--auto-approve")
SEED_ECS = ("seed-ecs",)  # not a command: registers task definitions in the sandbox
REWRITE_ECS = ("rewrite-images", "-r", "us-east-1", "--ecs")
PULLS = ("docker-hub/library/nginx:1.25", "quay/prometheus/prometheus:v2")
SCENARIOS: dict[str, list[Step]] = {
    "plan": [Step(APPLY, _file(), recorded=False), Step(("plan",), _file())],
    "apply": [
        Step(APPLY, _file()),  # creates everything
        Step((*APPLY, "--force"), _file(variant="b"), env=ENV_2),  # updates, replaces, prunes
    ],
    "status": [
        Step(APPLY, _file(), recorded=False),
        *(Step(("sandbox", "pull", image), "", recorded=False) for image in PULLS),
        Step(("status",), _file()),
    ],
    "backfill": [
        Step(APPLY, _file(), recorded=False),
        *(Step(("sandbox", "pull", image), "", recorded=False) for image in PULLS),
        Step((*APPLY, "--force"), _file(variant="b"), recorded=False),  # templates move: drift
        Step(("status", "--backfill", "--auto-approve"), _file(variant="b")),
    ],
    "rewrite-ecs": [
        Step(SEED_ECS, "", recorded=False),
        Step(REWRITE_ECS, _file()),  # reads only
        Step((*REWRITE_ECS, "--write"), _file()),  # registers a tagged revision with roles
    ],
}
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-task"


def _seed_ecs(state: Path) -> None:
    """A family with roles and tags that pulls from Docker Hub, and one that needs nothing."""
    from ptc.sandbox.embedded import running

    with running(state) as info:
        client = info.client("ecs", "us-east-1")
        client.register_task_definition(
            family="web",
            taskRoleArn=TASK_ROLE,
            executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/web-exec",
            containerDefinitions=[{"name": "web", "image": "nginx:1.25", "memory": 128}],
            tags=[{"key": "team", "value": "payments"}],
        )
        client.register_task_definition(
            family="local",
            containerDefinitions=[{"name": "t", "image": "example.com/t:1", "memory": 64}],
        )


def _run(step: Step, tmp_path: Path, index: int) -> tuple[Result, PtcFile | None]:
    state = ["--sandbox-state", str(tmp_path / "sandbox.json")]
    if step.command == SEED_ECS:
        _seed_ecs(tmp_path / "sandbox.json")
        return CliRunner().invoke(app, ["--version"]), None
    if step.command[0] == "sandbox":
        return CliRunner().invoke(app, [*step.command, *state]), None
    path = tmp_path / f"rules-{index}.yaml"
    path.write_text(step.text, encoding="utf-8")
    # rewrite-images takes the file as --rules (its arguments are the files it rewrites).
    file = ["--rules", str(path)] if step.command[0] == "rewrite-images" else [str(path)]
    result = CliRunner().invoke(app, [*step.command, "--sandbox", *state, *file], env=step.env)
    return result, load_file(path)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_policy_allows_every_call_and_nothing_unused(
    command: Command, recorder: Recorder, tmp_path: Path
) -> None:
    recorded: set[str] = set()
    granted: set[str] = set()
    for index, step in enumerate(SCENARIOS[command]):
        recorder.calls.clear()
        result, file = _run(step, tmp_path, index)
        assert result.exit_code in step.exit_codes, result.output
        if not step.recorded or file is None:
            continue
        policy = build_policy(file, command).policy
        denied = sorted({c for c in recorder.calls if not allows(policy, c)}, key=repr)
        assert denied == [], f"{command} step {index}: the policy lacks these"
        recorded |= {c.action for c in recorder.calls}
        granted |= _actions(policy)
    assert recorded, "nothing was recorded: the hook is not installed"
    assert sorted(granted - recorded) == [], f"{command}: granted but never called"


def test_plan_without_secret_values_is_allowed_no_secret_value_read(
    recorder: Recorder, tmp_path: Path
) -> None:
    """The policy of a pull request's plan role: no GetSecretValue, and still sufficient."""
    assert _run(Step(APPLY, _file(), recorded=False), tmp_path, 0)[0].exit_code == 0
    recorder.calls.clear()
    without = Step(("plan", "--without-secret-values"), _file(), env={"COLUMNS": "120"})

    result, file = _run(without, tmp_path, 1)

    assert result.exit_code == 0, result.output
    assert file is not None
    policy = build_policy(file, "plan", secret_values=False).policy
    recorded = {c.action for c in recorder.calls}
    assert sorted({c for c in recorder.calls if not allows(policy, c)}, key=repr) == []
    assert sorted(_actions(policy)) == sorted(recorded - FREE)
    value_actions = {"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"}
    assert not value_actions & (recorded | _actions(policy))
    assert value_actions <= _actions(build_policy(file, "plan").policy)


# -- the recorder and evaluator themselves -----------------------------------------------------


def test_the_evaluator_denies_another_region_secret_and_action() -> None:
    policy = build_policy(_valid(_file()), "plan").policy
    read = Call("ecr:DescribePullThroughCacheRules", "*", "us-east-1")
    assert allows(policy, read)
    assert not allows(policy, Call(read.action, "*", "eu-central-1"))
    assert not allows(policy, Call("ecr:CreatePullThroughCacheRule", "*", "us-east-1"))
    other = _secret("us-east-1", "ecr-pullthroughcache/other")
    assert not allows(policy, Call("secretsmanager:GetSecretValue", other, "us-east-1"))


def test_batch_reads_need_get_secret_value_on_each_secret() -> None:
    ids = ["ecr-pullthroughcache/a", "arn:aws:secretsmanager:us-east-1:1:secret:x-Ab12Cd"]
    calls = calls_of("secretsmanager", "BatchGetSecretValue", "us-east-1", {"SecretIdList": ids})
    assert [(c.action, c.resource) for c in calls] == [
        ("secretsmanager:BatchGetSecretValue", "*"),
        ("secretsmanager:GetSecretValue", _secret("us-east-1", ids[0])),
        ("secretsmanager:GetSecretValue", ids[1]),
    ]


# -- scoping -----------------------------------------------------------------------------------


def _valid(text: str, tmp: Path | None = None) -> PtcFile:
    from ptc.checks.runner import validate_text

    validation = validate_text(text, "rules.yaml", tmp or Path("."))
    assert validation.file is not None, validation.findings
    return validation.file


def _statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def test_region_narrowing_scopes_conditions_and_arns() -> None:
    policy = build_policy(_valid(_file()), "apply", regions=["eu-west-1"]).policy
    reads = _statement(policy, "ReadRulesTemplatesAndRegistryPolicy")
    assert reads["Resource"] == "*"
    assert reads["Condition"] == {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    assert _statement(policy, "WriteManagedSecrets")["Resource"] == [
        f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-??????"
    ]
    # ecr-prod (and its role) is us-east-1 only.
    assert "PassRuleRoles" not in {s["Sid"] for s in policy["Statement"]}


def test_secret_names_get_the_suffix_pattern_and_arns_stay_as_given() -> None:
    scope = Scope(_valid(_file()), ("us-east-1",), ACCOUNT)
    arn = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecr-pullthroughcache/gl-Xy12Ab"

    assert secret_arn(scope, "us-east-1", "ecr-pullthroughcache/hub") == (
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecr-pullthroughcache/hub-??????"
    )
    assert secret_arn(scope, "us-east-1", arn) == arn


def test_without_secrets_there_is_no_secret_access() -> None:
    text = f'version: 1\naccount: "{ACCOUNT}"\nregions: [us-east-1]\n'
    text += "rules:\n  - {prefix: quay, upstream: quay.io}\n"
    policy = build_policy(_valid(text), "apply").policy

    assert sorted(_actions(policy)) == [
        "ecr:CreatePullThroughCacheRule",
        "ecr:DeletePullThroughCacheRule",
        "ecr:DescribePullThroughCacheRules",
        "ecr:DescribeRepositoryCreationTemplates",
        "ecr:GetRegistryPolicy",
        "ecr:UpdatePullThroughCacheRule",
        "secretsmanager:ListSecrets",
    ]


def test_template_prefixes_scope_the_dependent_repository_actions() -> None:
    policy = build_policy(_valid(_file()), "apply").policy
    assert _statement(policy, "TemplatesSetRepositoryPolicies")["Resource"] == [
        f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/docker-hub/*",
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/docker-hub/*",
    ]
    assert (
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"
        in _statement(policy, "TemplatesCreateRepositories")["Resource"]
    )  # the ROOT template


def test_partition_aws_cn_shapes_every_arn() -> None:
    text = (
        "version: 1\naccount: '123456789012'\nregions: [cn-north-1]\n"
        "secrets:\n  - {name: ecr-pullthroughcache/hub, username: {env: U}, "
        "access_token: {env: T}}\n"
    )
    file = PtcFile.model_validate(yaml.safe_load(text))  # validate refuses cn for PTC
    policy = build_policy(file, "apply").policy
    arns = [r for s in policy["Statement"] for r in _listed(s["Resource"]) if r != "*"]
    assert arns and all(a.startswith("arn:aws-cn:") for a in arns)


@pytest.mark.parametrize(
    ("flag", "expected"), [(None, False), (True, True)], ids=["file", "--prune"]
)
def test_template_deletes_only_when_pruning(flag: bool | None, expected: bool) -> None:
    policy = build_policy(_valid(_file()), "apply", prune=flag).policy  # the file: prune false
    sids = {s["Sid"] for s in policy["Statement"]}
    assert ("DeleteRepositoryCreationTemplates" in sids) is expected
    assert "DeletePullThroughCacheRules" in sids  # a replace deletes a rule, prune or not


# -- the command ---------------------------------------------------------------------------------


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, ["iam-policy", *args], env={"COLUMNS": "120"})


def test_the_command_prints_json_and_notes_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_file().replace(f"account: '{ACCOUNT}'\n", ""), encoding="utf-8")

    result = _cli(str(path), "--for", "plan")

    assert result.exit_code == 0, result.output
    policy = json.loads(result.stdout)
    assert policy["Version"] == "2012-10-17"
    assert "no 'account'" in result.stderr
    resources = _statement(policy, "ReadManagedSecretValues")["Resource"]
    assert all(":*:secret:" in r for r in resources)
    with_account = json.loads(_cli(str(path), "--account", ACCOUNT).stdout)
    assert (
        f":{ACCOUNT}:secret:" in _statement(with_account, "ReadManagedSecretValues")["Resource"][0]
    )


def test_without_secret_values_leaves_out_the_value_reads_and_the_kms_note(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rules.yaml"
    data = yaml.safe_load(_file())
    data["secrets"][0]["kms_key"] = "alias/ptc"
    text = yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")

    with_values = _cli(str(path), "--for", "plan")
    without = _cli(str(path), "--for", "plan", "--without-secret-values")

    assert "kms:Decrypt" in with_values.stderr
    assert without.exit_code == 0, without.output
    assert without.stderr == ""
    sids = [s["Sid"] for s in json.loads(without.stdout)["Statement"]]
    assert sids == ["ReadRulesTemplatesAndRegistryPolicy", "ListSecrets"]


def test_without_secret_values_is_for_plan_only(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_file(), encoding="utf-8")

    result = _cli(str(path), "--for", "apply", "--without-secret-values")

    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "error: invalid value for '--without-secret-values': only with --for plan "
        "(apply writes secrets, so it reads their values); see 'ptc iam-policy --help'\n"
    )
    assert result.stdout == ""


def test_an_invalid_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "version: 1\nregions: [us-east-1]\nrules:\n  - {prefix: Q, upstream: quay.io}\n"
    )

    result = _cli(str(path))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:4:14: PTC201 error: prefix 'Q' is not a valid prefix",
        "    fix: Use lower-case letters and digits in groups separated by '.', '_', '__' or '-', "
        "with '/' between path parts, or ROOT.",
        f"{path}:4:14: PTC202 error: prefix 'Q' has 1 characters; ECR allows 2 to 30",
        "    fix: Use a prefix of 2 to 30 characters.",
        f"error: {path}: 2 errors; fix them first",
    ]
    assert result.stdout == ""


def test_iam_policy_does_not_import_boto3(tmp_path: Path) -> None:
    from tests.cli.test_validate import _imported_modules

    exit_code, modules = _imported_modules("iam-policy", "examples/rules.yaml", "--for", "apply")

    assert exit_code == 0
    assert not [m for m in modules if m.split(".")[0] in {"boto3", "botocore"}]


def test_a_region_the_file_does_not_have_is_refused_as_plan_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_file(), encoding="utf-8")

    result = _cli(str(path), "--region", "ap-south-1")

    assert result.exit_code == 64
    assert result.stdout == ""
    assert result.stderr == (
        f"error: --region ap-south-1: not a region of {path} (us-east-1, eu-west-1)\n"
    )

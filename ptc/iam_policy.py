"""The least-privilege IAM identity policy a CI role needs to run one ptc command on one file.

Pure: a validated file in, a policy document out. `GRANTS` is the whole knowledge, one
declarative table: command -> grants; a grant names the IAM actions of the operations the
command calls (ptc/aws/gateway.py, ptc/aws/repositories.py) and how to build their resources
from the file. tests/test_iam_policy.py runs each command against the sandbox, records every
call and its resource, and fails when this table allows too little or too much.

Facts from the Service Authorization Reference (ECR, Secrets Manager, STS):
- ECR's rule, template and registry-policy actions have no resource type: their Resource
  must be "*", so those statements are pinned to the file's regions with aws:RequestedRegion.
- Create/UpdatePullThroughCacheRule list iam:PassRole as a dependent action (customRoleArn);
  Create/UpdateRepositoryCreationTemplate list iam:PassRole, ecr:CreateRepository,
  ecr:PutLifecyclePolicy and ecr:SetRepositoryPolicy (the ECR user guide: the last two only
  when the template has that policy).
- BatchGetSecretValue also needs secretsmanager:GetSecretValue on each secret.
- sts:GetCallerIdentity needs no permission (it cannot even be denied), so it is left out.
- ECS (`rewrite-images --ecs --write`): ListTaskDefinitionFamilies, DescribeTaskDefinition and
  RegisterTaskDefinition have no resource type ("*", pinned by region). Registering with tags
  also authorizes ecs:TagResource on the new task definition (ECS tagging authorization,
  condition key ecs:CreateAction), and a task or execution role needs iam:PassRole to
  ecs-tasks.amazonaws.com. The families and roles are live data, not in the file: the
  policy names every task definition and role of the account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ptc.config.models import PtcFile, Rule, Secret, Template
from ptc.domain import arns, catalog, substitution

Command = Literal["plan", "apply", "status", "backfill", "rewrite-ecs"]
COMMANDS: tuple[Command, ...] = ("plan", "apply", "status", "backfill", "rewrite-ecs")
ANY_ACCOUNT = "*"
# In a file with `accounts:` the policy is the deployer role's, the same in every target
# account: IAM fills in the global condition key aws:PrincipalAccount as a policy variable,
# and the role acts in its own account, so this is each target account's ID.
PRINCIPAL_ACCOUNT = "${aws:PrincipalAccount}"
# The service ECR passes a custom role to: the API itself, or pull-through cache's principal.
# Which one ECR names in iam:PassedToService is undocumented, so both are allowed.
_ECR_SERVICES = ["ecr.amazonaws.com", "pullthroughcache.ecr.amazonaws.com"]
_SECRET_SUFFIX = "-??????"  # Secrets Manager appends '-' and 6 random characters to names
# IAM refuses a managed policy over 6,144 characters (IAM and STS quotas): past this many
# characters of role ARNs, the caller's policy names the role in any account, as for OUs.
_MAX_LISTED_ROLES_CHARS = 5000


@dataclass(frozen=True)
class Scope:
    """What a policy is for: the file, the regions it is narrowed to, the account, prune."""

    file: PtcFile
    regions: tuple[str, ...]
    account: str = ANY_ACCOUNT
    prune: bool = False
    secret_values: bool = True  # False: `plan --without-secret-values` reads none

    def regions_of(self, item: Rule | Secret | Template | Any) -> list[str]:
        return [r for r in self.file.regions_of(item) if r in self.regions]


Resources = Callable[[Scope], list[str]]
Condition = Callable[[Scope], dict[str, Any]]


@dataclass(frozen=True)
class Grant:
    """One statement: actions on resources, included when `when` holds and resources exist."""

    sid: str
    actions: tuple[str, ...]
    resources: Resources
    when: Callable[[Scope], bool] = lambda scope: True
    condition: Condition | None = None


# -- resource builders ---------------------------------------------------------------------


def _anywhere(scope: Scope) -> list[str]:
    """Actions without a resource type: "*", narrowed by region in the condition."""
    return ["*"]


def _in_regions(scope: Scope) -> dict[str, Any]:
    return {"StringEquals": {"aws:RequestedRegion": sorted(scope.regions)}}


def _passed_to_ecr(scope: Scope) -> dict[str, Any]:
    return {"StringEquals": {"iam:PassedToService": _ECR_SERVICES}}


def _passed_to_ecs_tasks(scope: Scope) -> dict[str, Any]:
    return {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def _tagging_a_registration(scope: Scope) -> dict[str, Any]:
    return {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}


def secret_arn(scope: Scope, region: str, name_or_arn: str) -> str:
    """A secret named in the file as an IAM resource: ARNs as given, names with the suffix."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return arns.secret_arn(region, scope.account, name_or_arn) + _SECRET_SUFFIX


def repository_arns(scope: Scope, region: str, prefix: str) -> str:
    """Repositories under a rule or template prefix (ROOT: every repository)."""
    return arns.repository_arn(region, scope.account, prefix)


def _task_definitions(scope: Scope) -> list[str]:
    return [
        str(arns.in_region("ecs", region, scope.account, "task-definition/*"))
        for region in scope.regions
    ]


def _account_roles(scope: Scope) -> list[str]:
    partitions = {catalog.partition_of(r) for r in scope.regions}
    return [arns.role_arn(scope.account, p, "*") for p in partitions]


def _managed_secrets(scope: Scope) -> list[str]:
    return [secret_arn(scope, r, s.name) for s in scope.file.secrets for r in scope.regions_of(s)]


def _template_repositories(has: Callable[[Template], bool]) -> Resources:
    def build(scope: Scope) -> list[str]:
        return [
            repository_arns(scope, region, t.prefix)
            for t in scope.file.templates
            if has(t)
            for region in scope.regions_of(t)
        ]

    return build


def _rule_repositories(scope: Scope) -> list[str]:
    return [repository_arns(scope, region, rule.prefix) for rule, region in _rules(scope)]


def _all_repositories(scope: Scope) -> list[str]:
    """Listing repositories (DescribeRepositories without names) is checked on all of them."""
    return [repository_arns(scope, region, catalog.ROOT) for region in scope.regions]


def _roles(kind: Literal["rules", "templates"]) -> Resources:
    def build(scope: Scope) -> list[str]:
        items: list[Rule] | list[Template] = getattr(scope.file, kind)
        # {account} is the policy's account ('*' when unknown); a role has no region, but
        # a {region} in its name makes one role per region.
        return [
            substitution.fill(i.role, account=scope.account, region=region)
            for i in items
            if i.role
            for region in scope.regions_of(i)
        ]

    return build


def _rules(scope: Scope) -> list[tuple[Rule, str]]:
    return [(rule, region) for rule in scope.file.rules for region in scope.regions_of(rule)]


# -- predicates ------------------------------------------------------------------------------


def _has_secrets(scope: Scope) -> bool:
    return any(scope.regions_of(s) for s in scope.file.secrets)


def _reads_secret_values(scope: Scope) -> bool:
    return scope.secret_values and _has_secrets(scope)


def _has_rules(scope: Scope) -> bool:
    return bool(_rules(scope))


def _has_templates(scope: Scope) -> bool:
    return any(scope.regions_of(t) for t in scope.file.templates)


def _has_permissions(scope: Scope) -> bool:
    # getattr: the `permissions:` section is newer than this table's first version.
    return any(scope.regions_of(p) for p in getattr(scope.file, "permissions", []))


def _replaces_or_prunes_rules(scope: Scope) -> bool:
    # A rule whose upstream changes is replaced (deleted, then created), prune or not.
    return _has_rules(scope) or scope.prune


def _prunes(scope: Scope) -> bool:
    return scope.prune


def _has_lifecycle(template: Template) -> bool:
    return template.lifecycle_policy is not None


def _has_repository_policy(template: Template) -> bool:
    return template.repository_policy is not None


# -- the table -----------------------------------------------------------------------------

_PLAN: tuple[Grant, ...] = (
    Grant(
        "ReadRulesTemplatesAndRegistryPolicy",
        (
            "ecr:DescribePullThroughCacheRules",
            "ecr:DescribeRepositoryCreationTemplates",
            "ecr:GetRegistryPolicy",
        ),
        _anywhere,
        condition=_in_regions,
    ),
    Grant("ListSecrets", ("secretsmanager:ListSecrets",), _anywhere, condition=_in_regions),
    # Values of managed secrets are compared, 20 to a BatchGetSecretValue call; not with
    # --without-secret-values, so that a pull request's plan role holds no credential.
    Grant(
        "BatchReadManagedSecrets",
        ("secretsmanager:BatchGetSecretValue",),
        _anywhere,
        when=_reads_secret_values,
        condition=_in_regions,
    ),
    Grant(
        "ReadManagedSecretValues",
        ("secretsmanager:GetSecretValue",),
        _managed_secrets,
        when=_reads_secret_values,
    ),
)

_APPLY: tuple[Grant, ...] = (
    *_PLAN,
    Grant(
        "WriteManagedSecrets",
        ("secretsmanager:CreateSecret", "secretsmanager:UpdateSecret"),
        _managed_secrets,
    ),
    # No secretsmanager:DescribeSecret: plan resolves every rule's secret ARN (it refuses
    # missing secrets) and apply gets the ARN of each secret it creates, so the gateway's
    # DescribeSecret fallback is not reached; the proof test would catch a change.
    Grant(
        "WritePullThroughCacheRules",
        ("ecr:CreatePullThroughCacheRule", "ecr:UpdatePullThroughCacheRule"),
        _anywhere,
        when=_has_rules,
        condition=_in_regions,
    ),
    Grant(
        "DeletePullThroughCacheRules",
        ("ecr:DeletePullThroughCacheRule",),
        _anywhere,
        when=_replaces_or_prunes_rules,
        condition=_in_regions,
    ),
    Grant(
        "WriteRepositoryCreationTemplates",
        ("ecr:CreateRepositoryCreationTemplate", "ecr:UpdateRepositoryCreationTemplate"),
        _anywhere,
        when=_has_templates,
        condition=_in_regions,
    ),
    Grant(
        "DeleteRepositoryCreationTemplates",
        ("ecr:DeleteRepositoryCreationTemplate",),
        _anywhere,
        when=_prunes,
        condition=_in_regions,
    ),
    # Dependent actions ECR checks when a template is written (Service Authorization Ref.).
    Grant(
        "TemplatesCreateRepositories",
        ("ecr:CreateRepository",),
        _template_repositories(lambda t: True),
    ),
    Grant(
        "TemplatesSetLifecyclePolicies",
        ("ecr:PutLifecyclePolicy",),
        _template_repositories(_has_lifecycle),
    ),
    Grant(
        "TemplatesSetRepositoryPolicies",
        ("ecr:SetRepositoryPolicy",),
        _template_repositories(_has_repository_policy),
    ),
    Grant("PassRuleRoles", ("iam:PassRole",), _roles("rules"), condition=_passed_to_ecr),
    Grant("PassTemplateRoles", ("iam:PassRole",), _roles("templates"), condition=_passed_to_ecr),
    Grant(
        "WriteRegistryPolicy",
        ("ecr:PutRegistryPolicy", "ecr:DeleteRegistryPolicy"),
        _anywhere,
        when=_has_permissions,
        condition=_in_regions,
    ),
)

# `ptc status` (ptc/aws/repositories.py): the live rules, then every cached repository.
# Adjust here when status reads more (the proof test says which entry is missing).
_STATUS: tuple[Grant, ...] = (
    Grant(
        "ReadPullThroughCacheRules",
        ("ecr:DescribePullThroughCacheRules",),
        _anywhere,
        condition=_in_regions,
    ),
    Grant("ListRepositories", ("ecr:DescribeRepositories",), _all_repositories),
    Grant(
        "ReadCachedRepositories",
        (
            "ecr:DescribeImages",
            "ecr:GetLifecyclePolicy",
            "ecr:GetRepositoryPolicy",
            "ecr:ListTagsForResource",
        ),
        _rule_repositories,
    ),
)

_BACKFILL: tuple[Grant, ...] = (
    *_STATUS,
    Grant(
        "BackfillCachedRepositories",
        ("ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy", "ecr:TagResource"),
        _rule_repositories,
    ),
)

# `ptc rewrite-images --ecs --write` (ptc/aws/ecs.py); without --write, the first grant only.
_REWRITE_ECS: tuple[Grant, ...] = (
    Grant(
        "ReadTaskDefinitions",
        ("ecs:ListTaskDefinitionFamilies", "ecs:DescribeTaskDefinition"),
        _anywhere,
        condition=_in_regions,
    ),
    Grant(
        "RegisterTaskDefinitions",
        ("ecs:RegisterTaskDefinition",),
        _anywhere,
        condition=_in_regions,
    ),
    Grant(
        "TagRegisteredTaskDefinitions",
        ("ecs:TagResource",),
        _task_definitions,
        condition=_tagging_a_registration,
    ),
    Grant("PassTaskRoles", ("iam:PassRole",), _account_roles, condition=_passed_to_ecs_tasks),
)

GRANTS: dict[Command, tuple[Grant, ...]] = {
    "plan": _PLAN,
    "apply": _APPLY,
    "status": _STATUS,
    "backfill": _BACKFILL,
    "rewrite-ecs": _REWRITE_ECS,
}


# -- building the document ---------------------------------------------------------------


def load_file(path: Path) -> PtcFile:
    """The whole file as a model; ConfigError (naming `ptc validate`) when it has errors."""
    from ptc.checks.runner import load_valid

    validation = load_valid(path)
    assert validation.file is not None
    return validation.file


@dataclass(frozen=True)
class PolicyResult:
    """The policy document and the notes to show beside it (never inside it)."""

    policy: dict[str, Any]
    notes: list[str]


def build_policy(
    file: PtcFile,
    command: Command,
    *,
    regions: Iterable[str] | None = None,
    account: str | None = None,
    prune: bool | None = None,
    secret_values: bool = True,
) -> PolicyResult:
    """The policy for `command` on a validated `file`.

    `regions` narrows the file's regions, `account` stands in for a file without one, and
    `prune` overrides the file's (deletes of templates are allowed only when pruning), and
    `secret_values=False` is for `plan --without-secret-values` (no secret value is read).
    """
    wanted = set(regions) if regions is not None else None
    scope = Scope(
        file=file,
        regions=tuple(r for r in file.regions if wanted is None or r in wanted),
        account=file.account or account or (PRINCIPAL_ACCOUNT if file.accounts else ANY_ACCOUNT),
        prune=file.prune if prune is None else prune,
        secret_values=secret_values,
    )
    statements = [s for grant in GRANTS[command] if (s := _statement(grant, scope))]
    return PolicyResult({"Version": "2012-10-17", "Statement": statements}, _notes(scope, command))


def _statement(grant: Grant, scope: Scope) -> dict[str, Any] | None:
    if not grant.when(scope):
        return None
    resources = sorted(set(grant.resources(scope)))
    if not resources:
        return None
    statement: dict[str, Any] = {
        "Sid": grant.sid,
        "Effect": "Allow",
        "Action": sorted(grant.actions),
        "Resource": resources[0] if resources == ["*"] else resources,
    }
    if grant.condition is not None:
        statement["Condition"] = grant.condition(scope)
    return statement


def _notes(scope: Scope, command: Command) -> list[str]:
    notes: list[str] = []
    if scope.file.accounts is not None:
        notes.append(
            f"the file has 'accounts:': this is the policy of {scope.file.accounts.role} in "
            + (
                "each target account, where IAM fills in ${aws:PrincipalAccount}"
                if scope.account == PRINCIPAL_ACCOUNT
                else f"account {scope.account}"
            )
            + "; 'ptc iam-policy FILE --caller' prints what the identity ptc runs as needs "
            "to assume it"
        )
    elif scope.account == ANY_ACCOUNT:
        notes.append(
            "the file has no 'account': ARNs use '*' for the account; "
            "add 'account:' to the file or pass --account"
        )
    keys = sorted(
        {
            substitution.fill(s.kms_key, account=scope.account, region=region)
            for s in scope.file.secrets
            if s.kms_key
            for region in scope.regions_of(s)
        }
    )
    if keys and (command == "apply" or command == "plan" and scope.secret_values):
        needed = "kms:Decrypt" if command == "plan" else "kms:Decrypt and kms:GenerateDataKey"
        notes.append(
            f"secrets are encrypted with {', '.join(keys)}: add {needed} on those keys "
            "(their key ARNs; not in this policy, aliases cannot be resolved offline)"
        )
    return notes


# -- the caller of a file with `accounts:` ------------------------------------------------------
#
# ptc runs as some identity (a CI role in a tooling or management account) and assumes the
# file's role in each target account: the caller needs sts:AssumeRole on those roles, and,
# when the file names organization_units, the two Organizations reads that list their
# accounts (ptc.aws.organizations; they take no resource ARN ptc could name offline: the
# OUs' ARNs need the organization's ID). The role's trust policy is the other half
# (README, "The IAM policy for CI").

_ORGANIZATIONS_READS = (
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
)


def caller_policy(file: PtcFile, *, account: str | None = None) -> PolicyResult:
    """The policy of the identity that runs ptc on a file with `accounts:`.

    `account` narrows it to that target account's role (as --account narrows a run).
    Raises ValueError for a file without `accounts:` (the CLI refuses that first).
    """
    spec = file.accounts
    if spec is None:
        raise ValueError("a caller policy is for a file with 'accounts:'")
    if account is not None:
        roles = [substitution.fill(spec.role, account=account)]
    elif spec.organization_units:
        roles = [substitution.fill(spec.role, account=ANY_ACCOUNT)]  # known only at run time
    else:
        excluded = set(spec.exclude)
        roles = [substitution.fill(spec.role, account=a) for a in spec.ids if a not in excluded]
        if sum(len(role) + 3 for role in roles) > _MAX_LISTED_ROLES_CHARS:
            roles = [substitution.fill(spec.role, account=ANY_ACCOUNT)]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AssumeTheDeployerRole",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": sorted(set(roles)),
        }
    ]
    if spec.organization_units:  # listed on every run, --account or not
        statements.append(
            {
                "Sid": "ListTheAccountsOfOrganizationUnits",
                "Effect": "Allow",
                "Action": list(_ORGANIZATIONS_READS),
                "Resource": "*",
            }
        )
    notes = [
        f"the role {spec.role} must trust this identity (sts:AssumeRole in its trust policy"
        + (", with the sts:ExternalId condition" if spec.external_id else "")
        + ")"
    ]
    if roles == [substitution.fill(spec.role, account=ANY_ACCOUNT)] and not spec.organization_units:
        notes.append(
            f"{len(spec.ids)} accounts' roles would exceed IAM's 6,144-character policy limit: "
            "the role is allowed in any account (its trust policy decides)"
        )
    return PolicyResult({"Version": "2012-10-17", "Statement": statements}, notes)

"""Taking over Terraform's pull-through cache resources: which ones, as what, and what stays.

Terraform's resources are read with the same builders plan uses on AWS's answers
(ptc.plan.normalize), each attribute under its Terraform name, then written by export's
code: the imported file is what `ptc export` would write for the same account, regions
merged the same way.

A `removed` block names a whole resource block (every count/for_each instance, in every
instance of its module), so a block is taken over whole or not at all. A registry policy is
one document that PutRegistryPolicy replaces whole, so it is taken over only when every
statement fits `permissions:`; otherwise it stays with Terraform, all its statements: if
ptc owned some of them, each tool's next apply would undo the other's changes to them.

Secret values are never read: a secret becomes `{env: …}` sources, and its
aws_secretsmanager_secret_version resources are taken over with it (their values are left
where they are, in Secrets Manager).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptc.domain import arns, catalog
from ptc.domain.resources import SecretResource
from ptc.domain.statements import statements_from_policy
from ptc.errors import PtcError
from ptc.export import export_live, merge, permission_problem, to_yaml
from ptc.plan.live import LiveState, SecretIndex
from ptc.plan.normalize import live_rule, live_secret, live_template
from ptc.terraform.show import ShowJson, TfResource

RULE = "aws_ecr_pull_through_cache_rule"
TEMPLATE = "aws_ecr_repository_creation_template"
SECRET = "aws_secretsmanager_secret"
VERSION = "aws_secretsmanager_secret_version"
POLICY = "aws_ecr_registry_policy"
TYPES = (RULE, TEMPLATE, SECRET, VERSION, POLICY)
HEADER = (
    "# Imported from Terraform by 'ptc import-terraform'. Review it, set the environment\n"
    "# variables its secrets name, and run 'ptc plan' on it: it should show no changes.\n"
)
_ORDER = ("version", "account", "regions", "rules", "secrets", "templates", "permissions")


class TakeoverError(PtcError):
    """The state holds what ptc cannot take over safely; nothing is written."""


@dataclass(frozen=True)
class NotTaken:
    address: str
    reason: str


@dataclass(frozen=True)
class Variables:
    """The environment variables a managed secret's value comes from."""

    secret: str
    username: str
    access_token: str


@dataclass
class Takeover:
    document: dict[str, Any]
    removed: list[str]  # resource block addresses, one `removed` block each
    not_taken: list[NotTaken]  # resources of the types ptc knows, left to Terraform
    others: int  # resources of other types, left to Terraform
    variables: list[Variables]
    assumed_region: list[str] = field(default_factory=list)  # addresses given --region


def take_over(show: ShowJson, default_region: str | None = None) -> Takeover:
    ours = [r for r in show.resources if r.type in TYPES]
    _refuse_unrepresentable(ours)
    regions = _regions(ours, default_region)
    account = _account(ours)
    why = _decide(ours, regions, account)
    taken = [r for r in ours if r.address not in why]
    if not taken:
        raise TakeoverError(
            "nothing to take over: " + "; ".join(f"{r.address}: {why[r.address]}" for r in ours)
        )
    live = _live_state(taken, ours, regions, account)
    variables = _variables(live.secrets)
    document = _document(live, variables)
    return Takeover(
        document=document,
        removed=list(dict.fromkeys(r.block for r in taken)),
        not_taken=[NotTaken(r.address, why[r.address]) for r in ours if r.address in why],
        others=len(show.resources) - len(ours),
        variables=variables,
        assumed_region=[r.address for r in taken if default_region and _region_of(r) is None],
    )


def file_text(takeover: Takeover, path: Path) -> str:
    """The file to write; refuses one that 'ptc validate' would refuse."""
    from ptc.checks.runner import validate_text

    text = to_yaml(takeover.document, HEADER)
    errors = validate_text(text, str(path), path.parent).errors
    if errors:
        listed = "; ".join(f"{e.check_id} {e.message}" for e in errors)
        raise TakeoverError(
            f"the imported file would not validate, so nothing was written: {listed}"
        )
    return text


# -- what cannot be taken over at all ---------------------------------------------------------


def _refuse_unrepresentable(resources: list[TfResource]) -> None:
    problems = [
        f"{r.address} ({why})" for r in resources if (why := _unrepresentable(r, resources))
    ]
    if problems:
        raise TakeoverError(
            f"ptc cannot represent {len(problems)} resource{'s' if len(problems) != 1 else ''}"
            f", so nothing was written: {'; '.join(problems)}"
        )


def _unrepresentable(resource: TfResource, resources: list[TfResource]) -> str | None:
    values = resource.values
    if resource.type == SECRET and _is_ptc_secret(resource):
        if values.get("replica"):
            return "replicas in other regions, which ptc does not manage"
        if str(values.get("policy") or "{}").strip() not in ("", "{}"):
            return "a resource policy, which ptc does not manage"
    if resource.type == VERSION and _secret_of(resource, resources) and values.get("secret_binary"):
        # Only whether it is set is looked at, never the value.
        return "a binary value; ptc's secrets hold a username and an access token"
    return None


def _is_ptc_secret(resource: TfResource) -> bool:
    return _name(resource).startswith(catalog.SECRET_NAME_PREFIX)


def _name(resource: TfResource) -> str:
    return str(resource.values.get("name") or "")


# -- regions and account ---------------------------------------------------------------------


def _regions(resources: list[TfResource], default: str | None) -> dict[str, str]:
    """Each resource's region, from what the state records.

    Refuses when a rule, template or secret has none; a registry policy without one stays
    with Terraform (see _own_reason).
    """
    found: dict[str, str] = {}
    unknown: list[str] = []
    for resource in resources:
        region = _region_of(resource) or default
        if region is not None:
            found[resource.address] = region
        elif resource.type in (RULE, TEMPLATE) or _is_ptc_secret(resource):
            unknown.append(resource.address)
    if unknown:
        raise TakeoverError(
            f"the JSON does not say in which region {', '.join(unknown)} "
            f"{'is' if len(unknown) == 1 else 'are'} (AWS provider 5 records none for rules, "
            "templates and registry policies): use the JSON of a plan "
            "('terraform plan -out=tfplan' then 'terraform show -json tfplan'), "
            "or --region for resources of the default provider's region"
        )
    return found


def _region_of(resource: TfResource) -> str | None:
    values = resource.values
    if isinstance(values.get("region"), str) and values["region"]:
        return str(values["region"])  # AWS provider 6 records it on every resource
    # A rule's secret must be in the rule's region (and account), so its ARN says it too.
    for key in ("arn", "credential_arn"):
        arn = arns.parse_arn(str(values.get(key) or ""))
        if arn is not None and arn.region:
            return arn.region
    if resource.type == POLICY:
        policy_regions = {
            arn.region
            for statement in statements_from_policy(str(values.get("policy") or ""), "")
            for text in statement.resources
            if (arn := arns.parse_arn(text)) is not None and arn.region
        }
        if len(policy_regions) == 1:
            return policy_regions.pop()
    return resource.config_region


def _account(resources: list[TfResource]) -> str:
    accounts: set[str] = set()
    for resource in resources:
        if resource.type == VERSION or (resource.type == SECRET and not _is_ptc_secret(resource)):
            continue
        registry = resource.values.get("registry_id")
        arn = arns.parse_arn(str(resource.values.get("arn") or ""))
        if isinstance(registry, str) and registry:
            accounts.add(registry)
        elif arn is not None and arn.account:
            accounts.add(arn.account)
    if len(accounts) > 1:
        raise TakeoverError(
            f"the resources belong to {len(accounts)} accounts ({', '.join(sorted(accounts))}); "
            "a ptc file manages one: import each account's state separately"
        )
    if not accounts:
        raise TakeoverError(
            "nothing to take over: the JSON holds no pull-through cache rules, repository "
            "creation templates, ecr-pullthroughcache/ secrets or registry policies"
        )
    return accounts.pop()


# -- which resources are taken over ----------------------------------------------------------


def _decide(
    resources: list[TfResource], regions: Mapping[str, str], account: str
) -> dict[str, str]:
    """Address -> why it stays with Terraform, for the resources not taken over.

    Repeats until nothing changes: leaving a secret's version block to Terraform leaves the
    secret too (one value, one owner), which can leave another version block, and so on.
    """
    why = {
        r.address: reason
        for r in resources
        if (reason := _own_reason(r, regions, account, resources)) is not None
    }
    while True:
        before = len(why)
        _whole_blocks(resources, why)
        _secrets_with_versions(resources, why)
        if len(why) == before:
            return why


def _own_reason(
    resource: TfResource, regions: Mapping[str, str], account: str, all_: list[TfResource]
) -> str | None:
    if resource.type == SECRET and not _is_ptc_secret(resource):
        return f"not an {catalog.SECRET_NAME_PREFIX} secret"
    if resource.type == VERSION and _secret_of(resource, all_) is None:
        return f"not the value of an {catalog.SECRET_NAME_PREFIX} secret in this state"
    if resource.type == POLICY and resource.address not in regions:
        return "the JSON does not say its region; give --region or a plan's JSON"
    if resource.type == POLICY:
        return _policy_reason(resource, regions, account, all_)
    return None


def _policy_reason(
    policy: TfResource, regions: Mapping[str, str], account: str, all_: list[TfResource]
) -> str | None:
    region = regions[policy.address]
    prefixes = {
        (catalog.normalize_prefix(str(r.values.get("ecr_repository_prefix"))), regions[r.address])
        for r in all_
        if r.type == RULE
    }
    problems = [
        f"statement {s.sid}: {problem}"
        for s in statements_from_policy(str(policy.values.get("policy") or ""), region)
        if (problem := permission_problem(s, account, prefixes)) is not None
    ]
    if not problems:
        return None
    return (
        f"{'; '.join(problems)}. ECR replaces the whole registry policy at once, so it keeps "
        "one owner: Terraform keeps all of it"
    )


def _secret_of(version: TfResource, resources: Iterable[TfResource]) -> TfResource | None:
    """The ecr-pullthroughcache/ secret of the state this version belongs to, if any."""
    wanted = {str(version.values.get(k) or "") for k in ("arn", "secret_id")} - {""}
    for resource in resources:
        if resource.type == SECRET and _is_ptc_secret(resource):
            if str(resource.values.get("arn") or "") in wanted:
                return resource
    return None


def _whole_blocks(resources: list[TfResource], why: dict[str, str]) -> None:
    """A block with an instance left to Terraform is left whole: one removed block covers all."""
    for resource in resources:
        if resource.address in why:
            continue
        left = next(
            (r.address for r in resources if r.block == resource.block and r.address in why),
            None,
        )
        if left is not None:
            why[resource.address] = (
                f"{left} of the same resource block stays with Terraform, and a removed "
                "block would make Terraform forget every instance"
            )


def _secrets_with_versions(resources: list[TfResource], why: dict[str, str]) -> None:
    """A secret is taken over with all of its versions, or stays with them."""
    for version in resources:
        if version.type != VERSION or version.address not in why:
            continue
        secret = _secret_of(version, resources)
        if secret is not None and secret.address not in why:
            why[secret.address] = f"its value {version.address} stays with Terraform"
    for version in resources:
        if version.type == VERSION and version.address not in why:
            secret = _secret_of(version, resources)
            if secret is not None and secret.address in why:
                why[version.address] = f"its secret {secret.address} stays with Terraform"


# -- the file --------------------------------------------------------------------------------


def _live_state(
    taken: list[TfResource], ours: list[TfResource], regions: Mapping[str, str], account: str
) -> LiveState:
    live = LiveState(account=account, regions=sorted({regions[r.address] for r in taken}))
    # Every ecr-pullthroughcache/ secret names rules' credentials, taken over or not.
    live.secrets = [
        _converted(r, _tf_secret, r.values, regions[r.address])
        for r in ours
        if r.type == SECRET and _is_ptc_secret(r)
    ]
    # Region by region, as export reads them, so that merged items come out in its order.
    for resource in sorted(taken, key=lambda r: regions[r.address]):
        region = regions[resource.address]
        if resource.type == RULE:
            index = live.index(region)
            live.rules.append(_converted(resource, _tf_rule, resource.values, region, index))
        elif resource.type == TEMPLATE:
            live.templates.append(_converted(resource, _tf_template, resource.values, region))
        elif resource.type == POLICY:
            text = str(resource.values.get("policy") or "")
            live.statements += statements_from_policy(text, region)
    taken_secrets = {r.values.get("arn") for r in taken if r.type == SECRET}
    live.secrets = [s for s in live.secrets if s.arn in taken_secrets]
    return live


def _converted(resource: TfResource, convert: Any, *args: Any) -> Any:
    try:
        return convert(*args)
    except (KeyError, TypeError, AttributeError, ValueError):
        # Never the values in the message: they may be anything.
        raise TakeoverError(
            f"{resource.address}: its attributes are not what the AWS provider records "
            f"for {resource.type}"
        ) from None


def _tf_rule(values: Mapping[str, Any], region: str, index: SecretIndex) -> Any:
    return live_rule(
        region,
        index,
        prefix=values["ecr_repository_prefix"],
        upstream_url=values["upstream_registry_url"],
        upstream_prefix=values.get("upstream_repository_prefix"),
        credential=values.get("credential_arn"),
        role=values.get("custom_role_arn"),
    )


def _tf_template(values: Mapping[str, Any], region: str) -> Any:
    encryption = (values.get("encryption_configuration") or [{}])[0] or {}
    filters = values.get("image_tag_mutability_exclusion_filter") or []
    return live_template(
        region,
        prefix=values["prefix"],
        applied_for=values.get("applied_for"),
        description=values.get("description"),
        image_tag_mutability=values.get("image_tag_mutability"),
        exclusions=[f["filter"] for f in filters],
        encryption_type=encryption.get("encryption_type"),
        kms_key=encryption.get("kms_key"),
        lifecycle_policy=values.get("lifecycle_policy"),
        repository_policy=values.get("repository_policy"),
        resource_tags=values.get("resource_tags"),
        role=values.get("custom_role_arn"),
    )


def _tf_secret(values: Mapping[str, Any], region: str) -> Any:
    return live_secret(
        region, name=values["name"], arn=values["arn"], kms_key=values.get("kms_key_id")
    )


def _variables(secrets: list[SecretResource]) -> list[Variables]:
    """Two variables per secret name, named after it; distinct names never share one."""
    chosen: list[Variables] = []
    used: set[str] = set()
    for name in sorted({s.name for s in secrets}):
        stem = re.sub(r"[^A-Za-z0-9]+", "_", name.removeprefix(catalog.SECRET_NAME_PREFIX))
        stem = stem.strip("_").upper() or "SECRET"
        if stem[0].isdigit():
            stem = f"SECRET_{stem}"
        base, number = stem, 1
        while stem in used:
            number += 1
            stem = f"{base}_{number}"
        used.add(stem)
        chosen.append(Variables(name, f"{stem}_USERNAME", f"{stem}_ACCESS_TOKEN"))
    return chosen


def _document(live: LiveState, variables: list[Variables]) -> dict[str, Any]:
    document = export_live(live)
    by_name = {v.secret: v for v in variables}
    secrets = merge([(s.region, _secret(s, by_name[s.name])) for s in live.secrets], live.regions)
    if secrets:
        document["secrets"] = secrets
    return {key: document[key] for key in _ORDER if key in document}


def _secret(secret: SecretResource, variables: Variables) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": secret.name,
        "username": {"env": variables.username},
        "access_token": {"env": variables.access_token},
    }
    if secret.kms_key:
        item["kms_key"] = secret.kms_key
    return item

"""Checks of upstream credentials: the secrets rules refer to and the secrets ptc manages."""

from __future__ import annotations

from collections.abc import Iterator

from ptc.checks.base import Check, Context, Problem, Severity
from ptc.config.models import Rule
from ptc.domain import arns, catalog


def _credential_name(rule: Rule) -> str | None:
    """The secret name a rule's credentials point at, whether given as name or ARN."""
    value = rule.credentials
    if value is None:
        return None
    if value.startswith("arn:"):
        return arns.secret_name(value)
    return value


def _managed_names(ctx: Context, region: str) -> set[str]:
    return {s.name for _, s in ctx.secrets if region in ctx.regions_of(s)}


class SecretNamePrefix(Check):
    id = "PTC301"
    summary = "A secret whose name does not start with ecr-pullthroughcache/"
    fix = "Name the secret ecr-pullthroughcache/<something>; ECR only reads secrets named so."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            name = _credential_name(rule)
            if name is not None and not name.startswith(catalog.SECRET_NAME_PREFIX):
                yield Problem((*path, "credentials"), f"secret '{name}' lacks the prefix")
        for path, secret in ctx.secrets:
            if not secret.name.startswith(catalog.SECRET_NAME_PREFIX):
                yield Problem((*path, "name"), f"secret '{secret.name}' lacks the prefix")


class CredentialArnInvalid(Check):
    id = "PTC302"
    summary = "A credentials ARN that does not match the API's pattern, or a partial ARN"
    fix = (
        "Use the full ARN, arn:<partition>:secretsmanager:<region>:<account>:secret:"
        "ecr-pullthroughcache/<name>-<6 characters>, or give the secret's name and let ptc "
        "resolve it."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        low, high = catalog.CREDENTIAL_ARN_LENGTH
        for path, rule in ctx.rules:
            value = rule.credentials
            if value is None or not value.startswith("arn:"):
                continue
            filled = ctx.filled(value, ctx.regions_of(rule)[0] if ctx.regions_of(rule) else None)
            name = arns.secret_name(value)
            if name is not None and not name.startswith(catalog.SECRET_NAME_PREFIX):
                continue  # PTC301 says it better
            if (
                not catalog.CREDENTIAL_ARN_PATTERN.fullmatch(filled)
                or not low <= len(filled) <= high
            ):
                yield Problem((*path, "credentials"), f"'{value}' is not a valid secret ARN")
            elif name is not None and not catalog.SECRET_NAME_SUFFIX_LOOKALIKE.search(name):
                # ECR: "You must specify the full ARN"; a partial one is SecretNotFoundException.
                yield Problem(
                    (*path, "credentials"),
                    f"'{value}' is a partial ARN; ECR needs the full ARN, which ends in "
                    "Secrets Manager's six-character suffix (-AbCdEf)",
                )


class CredentialArnRegion(Check):
    id = "PTC303"
    summary = "A credentials ARN in another region than the rule"
    fix = (
        "A rule can only use a secret in its own region: give the secret's name instead "
        "(ptc resolves it per region) or narrow the rule with 'regions:'."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            if arns.parse_arn(rule.credentials or "") is None:
                continue
            for region in ctx.regions_of(rule):
                arn = arns.parse_arn(ctx.filled(rule.credentials or "", region))
                if arn is not None and arn.region != region:
                    yield Problem(
                        (*path, "credentials"),
                        f"the secret is in {arn.region or 'no region'}, "
                        f"but the rule applies to {region}",
                    )
                    break


class CredentialArnAccount(Check):
    id = "PTC304"
    summary = "A credentials ARN in another account than 'account'"
    fix = "Use a secret in the registry's own account; ECR cannot read another account's secret."

    def check(self, ctx: Context) -> Iterator[Problem]:
        account = ctx.file.account
        for path, rule in ctx.rules:
            arn = arns.parse_arn(ctx.filled(rule.credentials or ""))
            if arn is not None and account is not None and arn.account != account:
                yield Problem(
                    (*path, "credentials"),
                    f"the secret is in account {arn.account}, the file's account is {account}",
                )


class SecretNotManaged(Check):
    id = "PTC305"
    severity = Severity.WARNING
    summary = "A secret named by a rule is not declared under 'secrets:'"
    fix = (
        "Declare it under 'secrets:' to have ptc create it, or make sure it exists in each "
        "of the rule's regions; plan looks it up there."
    )

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, rule in ctx.rules:
            name = rule.credentials
            if name is None or name.startswith("arn:"):
                continue
            for region in ctx.regions_of(rule):
                if name not in _managed_names(ctx, region):
                    yield Problem(
                        (*path, "credentials"),
                        f"secret '{name}' is not managed in this file for {region}; "
                        "it will be looked up at plan time",
                    )
                    break


class SecretNameInvalid(Check):
    id = "PTC307"
    summary = "A managed secret's name has characters Secrets Manager refuses"
    fix = "Use letters, digits and /_+=.@- only, at most 512 characters."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, secret in ctx.secrets:
            if not catalog.SECRET_NAME_PATTERN.fullmatch(secret.name):
                yield Problem((*path, "name"), f"'{secret.name}' is not a valid secret name")


class SecretNameLooksSuffixed(Check):
    id = "PTC308"
    severity = Severity.WARNING
    summary = "A secret name ends like Secrets Manager's random ARN suffix"
    fix = "Avoid ending the name with '-' and six characters; partial ARNs become ambiguous."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for path, secret in ctx.secrets:
            if catalog.SECRET_NAME_SUFFIX_LOOKALIKE.search(secret.name):
                yield Problem(
                    (*path, "name"),
                    f"'{secret.name}' ends with a hyphen and six characters",
                )


class DuplicateSecret(Check):
    id = "PTC309"
    summary = "The same secret is declared twice for one region"
    fix = "Declare each secret once; narrow copies with 'regions:'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        seen: set[tuple[str, str]] = set()
        for path, secret in ctx.secrets:
            for region in ctx.regions_of(secret):
                if (secret.name, region) in seen:
                    yield Problem(
                        (*path, "name"), f"secret '{secret.name}' is declared twice in {region}"
                    )
                    break
                seen.add((secret.name, region))


class UnusedSecret(Check):
    id = "PTC310"
    severity = Severity.WARNING
    summary = "A managed secret that no rule uses"
    fix = "Reference it from a rule's 'credentials:' or remove it."

    def check(self, ctx: Context) -> Iterator[Problem]:
        used = {_credential_name(rule) for _, rule in ctx.rules}
        for path, secret in ctx.secrets:
            if secret.name not in used:
                yield Problem((*path, "name"), f"no rule uses secret '{secret.name}'")


CHECKS = (
    SecretNamePrefix,
    CredentialArnInvalid,
    CredentialArnRegion,
    CredentialArnAccount,
    SecretNotManaged,
    SecretNameInvalid,
    SecretNameLooksSuffixed,
    DuplicateSecret,
    UnusedSecret,
)

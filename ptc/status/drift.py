"""How a repository's settings differ from the template the file declares for it.

The file is the truth, as for plan and apply: a repository is compared with the file's
template (or, when none matches, with the defaults ECR gives a pulled repository). Both
sides are normalised first: policies as canonical JSON, exclusion filters sorted, and tags
as a subset check (the template's tags must be present with its values; other tags are fine).
"""

from __future__ import annotations

from collections.abc import Iterable

from ptc.domain import catalog
from ptc.domain.resources import TemplateResource
from ptc.status.match import RegionScope, template_for
from ptc.status.models import Drift, RepositoryFacts, RepositoryStatus, Setting, StatusReport

# What ECR gives a repository a pull creates when no template matches (pull-through cache
# considerations in the ECR user guide): mutable tags, AES256, no policies, no tags.
DEFAULTS = TemplateResource(region="", prefix="(defaults)", applied_for=())


def governed(template: TemplateResource | None) -> frozenset[Setting]:
    """The settings a repository is read for: those its template sets (each one call).

    Tag mutability and encryption come with the repository's listing. A policy or tags the
    template does not set are not read: backfill would never change them, and reading them
    cost a call per repository each.
    """
    expected = template or DEFAULTS
    values: dict[Setting, object] = {
        "lifecycle_policy": expected.lifecycle_policy,
        "repository_policy": expected.repository_policy,
        "resource_tags": expected.resource_tags,
    }
    return frozenset(setting for setting, value in values.items() if value)


def repository_drift(facts: RepositoryFacts, template: TemplateResource | None) -> list[Drift]:
    expected = template or DEFAULTS
    drift = [
        _policy("lifecycle_policy", expected.lifecycle_policy, facts.lifecycle_policy),
        _policy("repository_policy", expected.repository_policy, facts.repository_policy),
        _tags(expected.resource_tags, facts.tags),
        _mutability(expected, facts),
        _encryption(expected, facts),
    ]
    return [d for d in drift if d is not None]


def _policy(setting: str, expected: str | None, actual: str | None) -> Drift | None:
    if expected == actual:
        return None
    if expected is None:
        # Backfill never deletes: a policy someone added on purpose stays.
        return Drift(setting, f"{setting} not in the template (kept)", False, None, actual)
    state = "missing" if actual is None else "differs"
    return Drift(setting, f"{setting} {state}", True, expected, actual)


def _tags(expected: dict[str, str], actual: dict[str, str]) -> Drift | None:
    wrong = {k: v for k, v in expected.items() if actual.get(k) != v}
    if not wrong:
        return None
    shown = ", ".join(f"{k}={v}" for k, v in sorted(wrong.items()))
    present = {k: actual[k] for k in wrong if k in actual}
    return Drift("resource_tags", f"tags {shown} to set", True, wrong, present)


def _mutability(expected: TemplateResource, facts: RepositoryFacts) -> Drift | None:
    want = (expected.image_tag_mutability, tuple(sorted(expected.image_tag_mutability_exclusions)))
    have = (facts.image_tag_mutability, tuple(sorted(facts.exclusions)))
    if want == have:
        return None
    return Drift(
        "image_tag_mutability",
        f"tag mutability {_mutability_text(*have)}, template {_mutability_text(*want)} (kept)",
        False,
        {"mutability": want[0], "exclusions": list(want[1])},
        {"mutability": have[0], "exclusions": list(have[1])},
    )


def _mutability_text(mutability: str, exclusions: tuple[str, ...]) -> str:
    return f"{mutability} [{', '.join(exclusions)}]" if exclusions else mutability


def _encryption(expected: TemplateResource, facts: RepositoryFacts) -> Drift | None:
    # A KMS template without a key means ECR's AWS-managed key, whose ARN the repository
    # shows: only a key the template names is compared.
    same_key = expected.kms_key is None or expected.kms_key == facts.kms_key
    if expected.encryption_type == facts.encryption_type and same_key:
        return None
    return Drift(
        "encryption",
        f"encryption {_key_text(facts.encryption_type, facts.kms_key)}, template "
        f"{_key_text(expected.encryption_type, expected.kms_key)} (cannot change)",
        False,
        {"type": expected.encryption_type, "kms_key": expected.kms_key},
        {"type": facts.encryption_type, "kms_key": facts.kms_key},
    )


def _key_text(kind: str, key: str | None) -> str:
    return f"{kind} {key}" if key and kind != catalog.EncryptionType.AES256 else kind


def repository_status(
    facts: RepositoryFacts, rule: str, templates: Iterable[TemplateResource]
) -> RepositoryStatus:
    template = template_for(facts.name, templates)
    drift = tuple(repository_drift(facts, template))
    return RepositoryStatus(rule, template.prefix if template else None, facts, drift)


def build_report(
    account: str,
    scopes: list[RegionScope],
    templates: list[TemplateResource],
    repositories: Iterable[RepositoryFacts],
) -> StatusReport:
    """Attribute each repository to its rule and template; repositories no rule covers drop out."""
    by_region = {scope.region: scope for scope in scopes}
    report = StatusReport(account, [scope.region for scope in scopes])
    for facts in repositories:
        scope = by_region.get(facts.region)
        rule = scope.rule_for(facts.name) if scope else None
        if rule is None:
            continue
        in_region = [t for t in templates if t.region == facts.region]
        report.repositories.append(repository_status(facts, rule, in_region))
    order = {region: i for i, region in enumerate(report.regions)}
    report.repositories.sort(key=lambda r: (order[r.facts.region], r.rule, r.facts.name))
    return report

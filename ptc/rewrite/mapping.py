"""From an image reference to the same image pulled through the cache, or why not.

The mapping mirrors what ECR does with a pull of `<registry>/<repository>`: the rule whose
ecrRepositoryPrefix is the longest prefix of the repository serves it (ROOT serves what no
other rule does), and the rest of the name, behind the rule's upstreamRepositoryPrefix, is
the upstream repository. A reference is rewritten only if the pull of the rewritten name
would come back to the rule that was chosen for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ptc.config.models import PtcFile
from ptc.domain import arns, catalog
from ptc.domain.images import OFFICIAL_NAMESPACE, InvalidReference, parse
from ptc.errors import EXIT_USAGE, PtcError

ECR_REPOSITORY_MAX = 256  # RepositoryName in the ECR API model


class Status(StrEnum):
    """What happens to one reference; the report counts each."""

    REWRITTEN = "rewritten"
    CACHED = "cached"
    NO_RULE = "no-rule"
    INVALID = "invalid"
    VARIABLE = "variable"
    NOT_IMAGE = "not-image"  # a value that stands for no image: `auto`, empty, a template
    BLOCKED = "blocked"  # would be rewritten, but cannot be in place byte for byte
    SKIPPED = "skipped"  # an `image` field of a kind ptc does not know
    NOT_WRITTEN = "not-written"  # would have been rewritten; writing the file failed


@dataclass(frozen=True)
class Resolution:
    status: Status
    # The reference on the cache: what it is rewritten to (REWRITTEN), or would be if it
    # could be (BLOCKED, SKIPPED, NOT_WRITTEN). None when there is no cached equivalent.
    target: str | None = None
    detail: str = ""
    rule: str | None = None  # the ecrRepositoryPrefix of the rule that serves it

    @property
    def pulls_upstream(self) -> bool:
        """Pulls from a cached upstream directly: what `--check` fails on."""
        return self.target is not None and self.status is not Status.NOT_WRITTEN


# Values that are not image references although they parse as one, and why.
NOT_IMAGES: Final = {
    "auto": "'auto' is filled in when the pod is created (Istio's gateway injection)",
}
_TEMPLATE_MARKS: Final = ("{{", "{%")


class TargetError(PtcError):
    """The target registry cannot be chosen from the options and the rules file."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Target:
    """The private registry that references are moved to."""

    account: str
    region: str

    @property
    def host(self) -> str:
        return catalog.registry_host(self.account, self.region)


def choose_target(file: PtcFile, account: str | None, region: str | None) -> Target:
    """The options win; otherwise the file's account and its only region."""
    account = account or file.account
    if account is None:
        raise TargetError("the rules file has no 'account'; give one with --account")
    if not arns.ACCOUNT_PATTERN.fullmatch(account):
        raise TargetError(f"account '{account}' is not a 12-digit AWS account ID")
    if region is None:
        if len(file.regions) != 1:
            listed = ", ".join(file.regions)
            raise TargetError(
                f"the rules file lists {len(file.regions)} regions ({listed}); "
                "choose one with --region"
            )
        region = file.regions[0]
    elif region not in file.regions:
        raise TargetError(
            f"region '{region}' is not in the rules file's regions ({', '.join(file.regions)})"
        )
    return Target(account, region)


@dataclass(frozen=True)
class CacheRule:
    """A pull-through cache rule reduced to what the mapping needs."""

    prefix: str  # ecrRepositoryPrefix without a trailing '/', or ROOT
    upstream_url: str  # canonical, as resolve_upstream returns it
    upstream_prefix: str | None = None  # None for ROOT: every upstream repository

    def cache_path(self, upstream_path: str) -> str | None:
        """The repository a pull of `upstream_path` lands in, or None if outside the rule."""
        rest = upstream_path
        if self.upstream_prefix is not None:
            if not upstream_path.startswith(self.upstream_prefix + "/"):
                return None
            rest = upstream_path[len(self.upstream_prefix) + 1 :]
        return rest if self.prefix == catalog.ROOT else f"{self.prefix}/{rest}"


def cache_rules(file: PtcFile, region: str) -> list[CacheRule]:
    """The rules of the file that exist in `region`."""
    rules = []
    for rule in file.rules:
        if region not in file.regions_of(rule):
            continue
        upstream = catalog.resolve_upstream(rule.upstream)
        url = upstream.url if upstream else rule.upstream.strip().lower()
        up_prefix = rule.upstream_prefix
        if up_prefix is not None:
            up_prefix = catalog.normalize_prefix(up_prefix)
        if up_prefix == catalog.ROOT:
            up_prefix = None
        rules.append(CacheRule(catalog.normalize_prefix(rule.prefix), url, up_prefix))
    return rules


class Mapper:
    """Resolves reference text against the rules of one target registry (memoised)."""

    def __init__(self, rules: Iterable[CacheRule], target: Target) -> None:
        self.rules = tuple(rules)
        self.target = target
        self._host = target.host
        self._memo: dict[str, Resolution] = {}

    @classmethod
    def from_file(cls, file: PtcFile, target: Target) -> Mapper:
        return cls(cache_rules(file, target.region), target)

    def resolve(self, text: str) -> Resolution:
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> Resolution:
        not_image = _not_image(text)
        if not_image is not None:
            return Resolution(Status.NOT_IMAGE, detail=not_image)
        if "$" in text:
            return Resolution(Status.VARIABLE, detail="built from a variable; not rewritten")
        try:
            ref = parse(text)
        except InvalidReference as exc:
            return Resolution(Status.INVALID, detail=str(exc))
        if ref.domain.lower() == self._host:
            return Resolution(Status.CACHED, detail="already on the target registry")
        upstream = catalog.resolve_upstream(ref.domain) if ref.domain else None
        if upstream is None:
            return Resolution(Status.NO_RULE, detail=f"no rule for {ref.domain or 'this name'}")
        path = ref.path
        if upstream.kind.kind == "docker-hub" and "/" not in path:
            # registry-1.docker.io/nginx is an official image too; ECR needs library/.
            path = OFFICIAL_NAMESPACE + path
        chosen = self._choose(upstream.url, path)
        if isinstance(chosen, str):
            return Resolution(Status.NO_RULE, detail=chosen)
        rule, cache_path = chosen
        new = f"{self._host}/{cache_path}"
        new += "".join((f":{ref.tag}" if ref.tag else "", f"@{ref.digest}" if ref.digest else ""))
        if len(cache_path) > ECR_REPOSITORY_MAX or not _valid(new):
            return Resolution(Status.INVALID, detail=f"the cached name would be too long: {new}")
        return Resolution(Status.REWRITTEN, target=new, rule=rule.prefix)

    def _choose(self, url: str, path: str) -> tuple[CacheRule, str] | str:
        """The rule for an upstream repository and its cache path, or why there is none."""
        rules = [r for r in self.rules if r.upstream_url == url]
        if not rules:
            return f"no rule for {url} in {self.target.region}"
        candidates: list[tuple[int, bool, int, CacheRule, str]] = []
        shadowed = []
        for index, rule in enumerate(rules):
            cache_path = rule.cache_path(path)
            if cache_path is None:
                continue
            if self._route(cache_path) is not rule:
                shadowed.append(rule.prefix)
                continue
            # The most specific upstream prefix first, then a named prefix over ROOT.
            depth = len(rule.upstream_prefix or "")
            candidates.append((-depth, rule.prefix == catalog.ROOT, index, rule, cache_path))
        if candidates:
            _, _, _, rule, cache_path = min(candidates, key=lambda c: c[:3])
            return rule, cache_path
        if shadowed:
            return f"the cached name would be served by another rule than '{shadowed[0]}'"
        prefixes = ", ".join(sorted({f"{r.upstream_prefix}/" for r in rules}))
        return f"rules for {url} only cache repositories under {prefixes}"

    def _route(self, cache_path: str) -> CacheRule | None:
        """The rule ECR picks for a pull of `cache_path`: longest prefix, else ROOT."""
        best: CacheRule | None = None
        for rule in self.rules:
            if rule.prefix == catalog.ROOT:
                if best is None:
                    best = rule
            elif cache_path.startswith(rule.prefix + "/") and (
                best is None or best.prefix == catalog.ROOT or len(rule.prefix) > len(best.prefix)
            ):
                best = rule
        return best


def _not_image(text: str) -> str | None:
    """Why `text` is not an image reference at all, or None."""
    if not text.strip():
        return "empty: not an image reference"
    if any(mark in text for mark in _TEMPLATE_MARKS):
        return "a template: an image reference only once rendered"
    return NOT_IMAGES.get(text)


def _valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidReference:
        return False
    return True

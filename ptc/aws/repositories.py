"""ECR repositories for `ptc status`: the reads that find drift and the writes of backfill.

Per region (every region at once, STS alongside): one paginated DescribeRepositories (up
to 1000 repositories a page, with each one's tag mutability and encryption) and one
DescribePullThroughCacheRules, together. Then, per repository in scope, on a pool bounded
per region: DescribeImages (one page up to 1000 images: the count and the last pull), and
one call for each setting its template sets: GetLifecyclePolicy, GetRepositoryPolicy,
ListTagsForResource. ECR has no batch read for any of these. Clients share
clients.RETRY_CONFIG (adaptive retries, bounded), and every failure goes through
errors.translate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from botocore.config import Config

from ptc.aws.clients import RETRY_CONFIG, RegionalClients, Session, paginate
from ptc.aws.errors import AwsError, translate
from ptc.domain.json_documents import canonical_json
from ptc.status.compute import Choose, Reading
from ptc.status.models import RepositoryFacts, Setting

WORKERS: Final = 16  # per region: concurrent repository reads; adaptive retries pace them
_PAGE_SIZE: Final = 1000  # the API's maximum: one call for most repositories
_GONE: Final = "RepositoryNotFoundException"


class RepositoryGateway(RegionalClients):
    """ECR repositories in one account, across regions. Create one per command run."""

    SECRETS = False

    def __init__(
        self,
        session: Session,
        regions: Iterable[str],
        config: Config = RETRY_CONFIG,
        workers: int = WORKERS,
    ) -> None:
        super().__init__(session, regions, config)
        self.workers = workers

    # -- reads -------------------------------------------------------------------------

    def read(self, choose: Choose) -> Reading:
        """Every region at once; in each, its repositories as soon as its listings are in."""
        with ThreadPoolExecutor(max_workers=max(1, len(self.regions))) as pool:
            regions = list(pool.map(lambda region: self._region(region, choose), self.regions))
        return Reading(
            {region: rules for region, (rules, _) in zip(self.regions, regions, strict=True)},
            [facts for _, found in regions for facts in found],
        )

    def _region(self, region: str, choose: Choose) -> tuple[list[str], list[RepositoryFacts]]:
        # The two listings do not depend on each other: one round trip for both.
        with ThreadPoolExecutor(max_workers=1) as rules_pool:
            rules = rules_pool.submit(self._live_rule_prefixes, region)
            listed = self._repositories(region)
            prefixes = rules.result()
        wanted = choose(region, prefixes)
        chosen = [(r, s) for r in listed if (s := wanted(r["repositoryName"])) is not None]
        # A region's repositories are independent: read together, bounded per region.
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(chosen)))) as pool:
            facts = pool.map(lambda item: self._facts(region, *item), chosen)
            return prefixes, [f for f in facts if f is not None]

    def _live_rule_prefixes(self, region: str) -> list[str]:
        """The region's live pull-through cache rule prefixes (the file may lack some)."""
        with translate(region):  # an answer of the wrong shape is a MalformedAnswer
            rules = paginate(
                self._ecr[region], "describe_pull_through_cache_rules", "pullThroughCacheRules"
            )
            return [r["ecrRepositoryPrefix"] for r in rules]

    def _repositories(self, region: str) -> list[dict[str, Any]]:
        with translate(region):
            return paginate(self._ecr[region], "describe_repositories", "repositories", _PAGE_SIZE)

    def _facts(
        self, region: str, repository: dict[str, Any], settings: frozenset[Setting]
    ) -> RepositoryFacts | None:
        with translate(region):  # an answer of the wrong shape is a MalformedAnswer
            return self._read_facts(region, repository, settings)

    def _read_facts(
        self, region: str, repository: dict[str, Any], settings: frozenset[Setting]
    ) -> RepositoryFacts | None:
        name = repository["repositoryName"]
        lifecycle = policy = None
        tags: dict[str, str] = {}
        try:
            images = self._images(region, name)
            if "lifecycle_policy" in settings:
                lifecycle = self._document(region, name, "get_lifecycle_policy")
            if "repository_policy" in settings:
                policy = self._document(region, name, "get_repository_policy")
            if "resource_tags" in settings:
                tags = self._tags(region, repository["repositoryArn"])
        except AwsError as exc:
            if exc.code == _GONE:  # deleted since it was listed: no longer there to report
                return None
            raise
        # Tag mutability and encryption come with the listing: no call of their own.
        encryption = repository.get("encryptionConfiguration") or {}
        filters = repository.get("imageTagMutabilityExclusionFilters") or []
        pulls = [i["lastRecordedPullTime"] for i in images if i.get("lastRecordedPullTime")]
        return RepositoryFacts(
            region=region,
            name=name,
            arn=repository["repositoryArn"],
            image_tag_mutability=repository.get("imageTagMutability", "MUTABLE"),
            exclusions=tuple(sorted(f["filter"] for f in filters)),
            encryption_type=encryption.get("encryptionType", "AES256"),
            kms_key=encryption.get("kmsKey"),
            lifecycle_policy=lifecycle,
            repository_policy=policy,
            tags=tags,
            image_count=len(images),
            last_pull=max(pulls, default=None),
        )

    def _images(self, region: str, name: str) -> list[dict[str, Any]]:
        with translate(region):
            return paginate(
                self._ecr[region],
                "describe_images",
                "imageDetails",
                _PAGE_SIZE,
                repositoryName=name,
            )

    def _document(self, region: str, name: str, operation: str) -> str | None:
        """A lifecycle or repository policy as canonical JSON; None when there is none."""
        text: str | None = None
        missing = ("LifecyclePolicyNotFoundException", "RepositoryPolicyNotFoundException")
        with translate(region, missing_ok=missing):
            answer = getattr(self._ecr[region], operation)(repositoryName=name)
            # No policy is a *NotFoundException; a 200 without the text is not an answer.
            field = "lifecyclePolicyText" if "lifecycle" in operation else "policyText"
            text = answer[field]
        return _canonical(text)

    def _tags(self, region: str, arn: str) -> dict[str, str]:
        with translate(region):
            answer = self._ecr[region].list_tags_for_resource(resourceArn=arn)
            return {t["Key"]: t["Value"] for t in answer["tags"]}

    # -- backfill writes ---------------------------------------------------------------

    def put_lifecycle_policy(self, region: str, repository: str, text: str) -> None:
        with translate(region):
            self._ecr[region].put_lifecycle_policy(
                repositoryName=repository, lifecyclePolicyText=text
            )

    def set_repository_policy(self, region: str, repository: str, text: str) -> None:
        with translate(region):
            self._ecr[region].set_repository_policy(repositoryName=repository, policyText=text)

    def tag_resource(self, region: str, arn: str, tags: dict[str, str]) -> None:
        # TagResource adds and overwrites; tags the template does not name stay as they are.
        with translate(region):
            self._ecr[region].tag_resource(
                resourceArn=arn, tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())]
            )


def _canonical(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return canonical_json(json.loads(text))
    except ValueError:
        return text  # not JSON: shown and compared as ECR holds it

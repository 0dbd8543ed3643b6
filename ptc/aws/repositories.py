"""ECR repositories for `ptc status`: the reads that find drift and the writes of backfill.

Per region (every region at once): one paginated DescribeRepositories (up to 1000
repositories a page) and one DescribePullThroughCacheRules. Per repository in scope, a
constant four calls, run on a bounded thread pool: DescribeImages (one page up to 1000
images), GetLifecyclePolicy, GetRepositoryPolicy and ListTagsForResource. Clients share
clients.RETRY_CONFIG (adaptive retries, bounded), and every failure goes through
errors.translate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from botocore.config import Config

from ptc.aws.clients import RETRY_CONFIG, RegionalClients, Session, paginate
from ptc.aws.errors import AwsError, translate
from ptc.domain.json_documents import canonical_json
from ptc.status.match import InScope
from ptc.status.models import RepositoryFacts

WORKERS: Final = 16  # concurrent per-repository reads; adaptive retries pace them further
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

    def live_rule_prefixes(self) -> dict[str, list[str]]:
        """Each region's live pull-through cache rule prefixes (the file may lack some)."""

        def prefixes(region: str) -> list[str]:
            with translate(region):  # an answer of the wrong shape is a MalformedAnswer
                rules = paginate(
                    self._ecr[region], "describe_pull_through_cache_rules", "pullThroughCacheRules"
                )
                return [r["ecrRepositoryPrefix"] for r in rules]

        return dict(zip(self.regions, self._each_region(prefixes), strict=True))

    def _each_region(self, read: Callable[[str], Any]) -> list[Any]:
        """`read` of every region, all regions at once: each thread only waits for AWS."""
        with ThreadPoolExecutor(max_workers=max(1, len(self.regions))) as pool:
            return list(pool.map(read, self.regions))

    def read(self, in_scope: InScope) -> list[RepositoryFacts]:
        """The facts of every repository in scope, in every region, read concurrently."""

        def repositories(region: str) -> list[tuple[str, dict[str, Any]]]:
            with translate(region):
                found = paginate(
                    self._ecr[region], "describe_repositories", "repositories", _PAGE_SIZE
                )
                return [(region, r) for r in found if in_scope(region, r["repositoryName"])]

        listed = [item for items in self._each_region(repositories) for item in items]
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(listed)))) as pool:
            facts = pool.map(lambda item: self._facts(*item), listed)
            return [f for f in facts if f is not None]

    def _facts(self, region: str, repository: dict[str, Any]) -> RepositoryFacts | None:
        with translate(region):  # an answer of the wrong shape is a MalformedAnswer
            return self._read_facts(region, repository)

    def _read_facts(self, region: str, repository: dict[str, Any]) -> RepositoryFacts | None:
        name = repository["repositoryName"]
        try:
            images = self._images(region, name)
            lifecycle = self._document(region, name, "get_lifecycle_policy")
            policy = self._document(region, name, "get_repository_policy")
            tags = self._tags(region, repository["repositoryArn"])
        except AwsError as exc:
            if exc.code == _GONE:  # deleted since it was listed: no longer there to report
                return None
            raise
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

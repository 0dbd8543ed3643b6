"""Where the ECR documentation leaves behaviour open, the sandbox's choice: all in one place.

Each choice below answers a [U] mark of the API facts (shared/reference/ecr-api-facts.md).
The rule is the strict reading: when in doubt, refuse what AWS might refuse, so that a
configuration the sandbox accepts is one the service accepts too. Exceptions are marked
"not strict" with the reason.

Prefixes
  * A trailing '/' on ecrRepositoryPrefix, upstreamRepositoryPrefix or a template prefix is
    removed before storing (the model says "there is always an assumed /"), so `team/` and
    `team` name the same rule or template and Describe echoes `team`. Lengths are checked on
    the prefix as sent.
  * Overlapping rule prefixes (`a` and `a/b`) are allowed. Not strict: ROOT exists to overlap
    with every other prefix, and templates document longest-prefix matching.
  * upstreamRepositoryPrefix is echoed only when it was sent. Not strict: Terraform treats the
    field as optional and not computed, so a service echoing the implied ROOT would give every
    Terraform user a perpetual replacement.

Upstreams and credentials
  * upstreamRegistryUrl must be the canonical host exactly as catalog.UPSTREAM_KINDS lists it:
    no scheme, no path, lower case, no aliases (`docker.io` and `index.docker.io` are refused
    with UnsupportedUpstreamRegistryException; only `registry-1.docker.io` is accepted).
  * credentialArn must be the full ARN with Secrets Manager's six-character suffix (ECR docs:
    "You must specify the full ARN"); a partial ARN gives SecretNotFoundException. The ARN is
    echoed exactly as sent.
  * A credentialArn whose account or Region differs from the request's gives
    UnableToAccessSecretException; one in the right account and Region that does not exist
    gives SecretNotFoundException; a secret scheduled for deletion gives
    UnableToAccessSecretException.
  * Create and Update check that the secret exists, not its content; only Validate reads the
    `username` and `accessToken` keys (as the service does, minus the network call).
  * credentialArn is refused (InvalidParameterException) for upstreams that take no secret
    (ecr-public, quay, k8s, ecr); customRoleArn is refused for upstreams other than ECR, must
    be an IAM role ARN of the caller's account, and is required when the ECR upstream is in
    another account.
  * Validate on a rule without a secret (an unauthenticated or ECR upstream) answers
    isValid=true: there is nothing to check offline.

Repository creation templates
  * Update replaces the whole template with what is sent: an omitted field returns to its
    default (no description, tags or policies, MUTABLE, AES256, no role). appliedFor has no
    default and is kept when omitted. Careful: Terraform's provider sends only the changed
    fields, so under this reading a Terraform in-place update resets the fields it did not
    send (see TEMPLATE_UPDATE_RESETS_OMITTED).
  * An empty string for description, customRoleArn, repositoryPolicy or lifecyclePolicy means
    "none" (Terraform sends "" to remove them).
  * customRoleArn is required when the template has resourceTags or KMS / KMS_DSSE encryption
    (the docs say repository creation fails otherwise; the sandbox refuses the template).
  * imageTagMutabilityExclusionFilters are accepted only with *_WITH_EXCLUSION and
    *_WITH_EXCLUSION only with filters; kmsKey only with KMS or KMS_DSSE.
  * DescribeRepositoryCreationTemplates with a prefix that has no template returns an empty
    list, not TemplateNotFoundException (the model lists no such error for Describe), whereas
    DescribePullThroughCacheRules raises PullThroughCacheRuleNotFoundException (it does).
  * No limit on the number of templates (none is documented).

Registry policy (moto's own PutRegistryPolicy, adjusted)
  * The registry policy scope is V2, the service's default: a statement may grant any ecr:
    action (moto 5.2 allows only CreateRepository and ReplicateImage, the V1 scope, and would
    refuse ecr:BatchImportUpstreamImage). Actions of other services are refused.
  * GetRegistryPolicy and DeleteRegistryPolicy on a registry without a policy give
    RegistryPolicyNotFoundException. PutRegistryPolicy refuses (InvalidParameterException)
    text that is not JSON, a document without Version and one with no statement at all (the
    strict reading: a registry without permissions has no policy, it is deleted instead).
    The policy text is stored and returned as sent.

Errors and requests
  * Model constraints (required, length, pattern, enum, range) give ValidationException with
    the service's "1 validation error detected" message; rules beyond the model (ROOT with an
    upstream prefix, mismatched upstreamRegistry, JSON that does not parse, the empty Update)
    give InvalidParameterException.
  * Patterns the model leaves unanchored (RegistryId, the KMS key) are matched in full.
  * registryId, where the operation takes one, must be the caller's account.
  * Describe lists in prefix order; nextToken is opaque and names the last prefix returned,
    so deleting rules between pages neither repeats nor skips the others.
"""

from __future__ import annotations

from typing import Final

STRIP_TRAILING_SLASH: Final = True
ECHO_IMPLIED_UPSTREAM_PREFIX: Final = False
FULL_SECRET_ARN_ONLY: Final = True
TEMPLATE_UPDATE_RESETS_OMITTED: Final = True
CUSTOM_ROLE_REQUIRED_FOR_TAGS_AND_KMS: Final = True
REGISTRY_POLICY_SCOPE: Final = "V2"

"""Where the ECR documentation leaves behaviour open, the sandbox's choice: all in one place.

Each choice below answers a [U] mark of the API facts (shared/reference/ecr-api-facts.md).
The rule is the strict reading: when in doubt, refuse what AWS might refuse, so that a
configuration the sandbox accepts is one the service accepts too. Exceptions are marked
"not strict" with the reason.

ECS
  * DescribeTaskDefinition with a family and no revision answers the latest ACTIVE revision
    (ECS API reference, DescribeTaskDefinition: "If a revision isn't specified, the latest
    ACTIVE revision is used"); moto's own answer is the latest revision of any status, and a
    family without an ACTIVE one is ClientException (ptc/sandbox/ecs.py).

Prefixes
  * A trailing '/' on ecrRepositoryPrefix, upstreamRepositoryPrefix or a template prefix is
    kept: the prefix is stored and echoed exactly as sent, and `team/` and `team` name the
    same rule or template (AlreadyExists, Describe, Update and Delete find it by either
    spelling; the model says "there is always an assumed /"). Sources: the model's pattern
    ends in an optional '/'; the Terraform provider's regex allows the slash (PR #41933, "to match
    the AWS API") and its Read stores EcrRepositoryPrefix from Describe without
    normalising, ForceNew, so a service that stripped it would force a replacement on
    every plan, which no provider issue reports. ptc compares prefixes without the slash
    (catalog.normalize_prefix), so `team/` live and `team` in a file are the same rule.
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
    (ecr-public, quay, k8s, ecr). customRoleArn must be an IAM role ARN of the caller's
    account (model doc: "This role must be in the same account as the registry") and is
    required when the ECR upstream is in another account. It is accepted for upstreams other
    than ECR: the model and the user guide say what the role is for ("to authenticate to the
    ECR upstream registry") but no source says the service refuses it elsewhere, so the
    sandbox stores it and validate warns (PTC213) rather than both refusing.
  * UpdatePullThroughCacheRule answers only errors its model lists: sending only
    customRoleArn to a rule that has a credential keeps the credential and checks nothing
    about it (UnsupportedUpstreamRegistryException is not an Update error).
  * A secret whose KmsKeyId names a KMS key that the sandbox's KMS (the key's account and
    Region) does not have, or has disabled or pending deletion, gives
    UnableToDecryptSecretValueException on Create and Update, and Validate answers
    isValid=false. Secrets Manager's default key (no KmsKeyId) always decrypts. KMS keys
    are not part of the saved sandbox state: create them again after a restart.
    The embedded sandbox (`--sandbox`) has no way to create KMS keys, so there a key its KMS
    has never heard of stands in for one that exists and is enabled (README's first command
    applies examples/rules.yaml, whose secret names alias/ptc-secrets); a key it does know
    keeps its state. `ptc sandbox serve` keeps the strict reading.
  * Validate on a rule without a secret (an unauthenticated or ECR upstream) answers
    isValid=true: there is nothing to check offline.

Repository creation templates
  * Update keeps what it is not sent (a patch), against the model's Update doc for
    imageTagMutability ("If this parameter is omitted, the default setting of MUTABLE will
    be used"). Not strict, and decided by a real client: the Terraform provider's Update
    sends only the attributes that changed (`d.HasChange` in
    internal/service/ecr/repository_creation_template.go), and its acceptance test
    TestAccECRRepositoryCreationTemplate_mutabilityWithExclusion (resource_tags in the
    config, then an update of only the exclusion filters) expects an empty plan against real
    AWS, which holds only if the service kept the tags. See TEMPLATE_UPDATE_KEEPS_OMITTED.
  * What clears a member on Update, as the provider sends it: "" for description,
    customRoleArn, repositoryPolicy and lifecyclePolicy; [] for resourceTags; an
    imageTagMutability without exclusions (sent without filters) drops the filters (the
    provider sends no filters then: expandImageTagMutabilityExclusionFilters returns nil
    for an empty list); encryptionConfiguration is replaced as a whole. ptc's own update
    (aws/requests.py template_request) sends the whole template, "" for what the file
    dropped and [] for no tags, so it converges under this reading too.
  * An empty string for description, customRoleArn, repositoryPolicy or lifecyclePolicy means
    "none" on Create as well.
  * A template with resourceTags or KMS / KMS_DSSE encryption and no customRoleArn is
    accepted: the provider's TestAccECRRepositoryCreationTemplate_basic creates one
    (resource_tags, no role) and aws/containers-roadmap#2398's user had one. What fails is
    creating a repository from it (the docs: "otherwise the repository creation will
    fail"): `ptc sandbox pull`, and BatchGetImage / GetDownloadUrlForLayer through the cache,
    answer RepositoryNotFoundException (#2398's user saw "not found") and create nothing.
    validate keeps PTC411 an error.
  * A kmsKey in another Region than the caller's is accepted too; creating a repository
    from the template fails the same way (the model's kmsKey doc: "The key must exist in
    the same Region as the repository"). validate: PTC421.
  * A repositoryPolicy whose statements lack an Effect of Allow or Deny, or a Principal, is
    refused with InvalidParameterException ('Invalid repository policy provided', the
    answer of SetRepositoryPolicy, whose check the template's policy must pass to be
    applied). validate: PTC415.
  * resourceTags keys starting with `aws:` are refused (InvalidParameterException): AWS
    reserves the prefix for its own tags ("You can't edit or delete tag keys or values with
    this prefix", Tagging AWS resources) and ECR's CreateRepository and TagResource refuse
    it; validate's PTC418 says the same.
  * imageTagMutabilityExclusionFilters are accepted only with *_WITH_EXCLUSION and
    *_WITH_EXCLUSION only with filters; kmsKey only with KMS or KMS_DSSE.
  * DescribeRepositoryCreationTemplates with a prefix that has no template returns an empty
    list, not TemplateNotFoundException (the model lists no such error for Describe), whereas
    DescribePullThroughCacheRules raises PullThroughCacheRuleNotFoundException (it does).
  * No limit on the number of templates (none is documented).

Pull through the cache by the API
  * BatchGetImage on a repository a rule covers fetches each requested tag (a synthetic
    image, as `ptc sandbox pull` records) after creating the repository from the matching
    template; GetDownloadUrlForLayer creates the repository too and answers for the layers
    of the images cached. Digests are not fetched (a first pull by digest is not possible,
    containers-roadmap#2837). A Docker Hub path of one component (`docker-hub/nginx`) gives
    UnableToGetUpstreamImageException: the user guide says "For Docker Hub official images,
    the /library prefix must be included", and Docker Hub answers 403 without it.
  * Operations moto lacks (GetAccountSetting, BatchCheckLayerAvailability, ...) and unknown
    X-Amz-Target values answer HTTP 400 UnknownOperationException in JSON, as the service's
    front end answers a target it does not know; botocore does not retry it.

Registry policy (moto's own PutRegistryPolicy, adjusted)
  * The registry policy scope is V2, the service's default: a statement may grant any ecr:
    action (moto 5.2 allows only CreateRepository and ReplicateImage, the V1 scope, and would
    refuse ecr:BatchImportUpstreamImage). Actions of other services are refused.
  * GetRegistryPolicy and DeleteRegistryPolicy on a registry without a policy give
    RegistryPolicyNotFoundException. PutRegistryPolicy refuses (InvalidParameterException)
    text that is not JSON, a document without Version and one with no statement at all (the
    strict reading: a registry without permissions has no policy, it is deleted instead).
    The policy text is stored and returned as sent; over the model's 10,240 characters it is
    refused with ValidationException (moto does not check the length).
  * A statement may grant `Principal: "*"` narrowed by a Condition, such as aws:PrincipalOrgID
    (StringEquals) or aws:PrincipalOrgPaths (ForAnyValue:StringLike): the IAM User Guide's
    global condition keys page documents them for resource policies, to grant an
    organisation or its OUs. Conditions are stored as sent and never evaluated (the sandbox
    authorises no request); one that is not a mapping of operators to keys is refused
    (InvalidParameterException), as moto's IAM policy grammar check does. Source: issue 13,
    item 4.

Errors and requests
  * Model constraints (required, length, pattern, enum, range) give ValidationException with
    the service's "1 validation error detected" message, values shown as the service (a
    Java program) shows them: `Value null`, lists `[a, b]`; rules beyond the model (ROOT with an
    upstream prefix, mismatched upstreamRegistry, JSON that does not parse, the empty Update)
    give InvalidParameterException.
  * Patterns the model leaves unanchored (RegistryId, the KMS key) are matched in full.
  * registryId, where the operation takes one, must be the caller's account.
  * Describe lists in prefix order; nextToken is opaque and names the last prefix returned,
    so deleting rules between pages neither repeats nor skips the others.

Accounts, AssumeRole and Organizations (ptc/sandbox/accounts.py, organizations.py)
  * Every account is a sandbox of its own: ECR (rules, templates, repositories, registry
    policy), Secrets Manager, ECS and Organizations are kept per account, as moto keeps each
    backend per account id. The caller's account is moto 5.2.5's choice
    (BaseResponse.get_current_account): MOTO_ACCOUNT_ID, then the x-moto-account-id header,
    then the access key id looked up among the keys moto issued
    (moto.iam.models.get_account_id_from), else 123456789012. The embedded sandbox clears
    MOTO_ACCOUNT_ID, which would put every caller in one account.
  * STS AssumeRole answers credentials of the role ARN's account (moto: "the role does not
    need to exist. The ARN can point to another account"); calls made with them land there.
    Not strict: a role that does not exist is assumable, standing in for the role an
    organisation sets up in every account (README's first command must work with no IAM
    set-up, and the embedded sandbox has no way to create roles). A role that exists is
    assumable only as its trust policy says (AssumeRole's model doc: "a role trust policy
    that specifies who can assume the role"): an Allow for sts:AssumeRole whose AWS principal is
    "*", the caller's account id or `arn:aws:iam::ACCOUNT:root`, the caller's ARN or its
    role's ARN, and no matching Deny; otherwise AccessDenied (HTTP 403, "User: ... is not
    authorized to perform: sts:AssumeRole on resource: ..."). The only condition understood
    is StringEquals on sts:ExternalId (the model's ExternalId doc: "might be required when
    you assume a role in another account"); a statement with any other condition does not
    allow (the strict reading).
  * An access key id moto has not issued names the account encoded in it, as AWS's own key
    ids do (STS GetAccessKeyInfo; moto issues keys the same way,
    moto.iam.utils.generate_access_key_id_from_account_id), instead of moto's default
    account: credentials a client cached (the aws CLI keeps assumed-role credentials in
    ~/.aws/cli/cache for up to an hour) stay in their account after `sandbox serve`
    restarts from its state, which keeps no IAM or STS data. `testing`, or any id not of
    AWS's AKIA/ASIA form, is 123456789012.
  * Organizations is moto's: an organisation lives in its management account and its member
    accounts see it (DescribeOrganization, ListRoots). The saved state keeps each
    organisation's ids, OUs and accounts (parent, name, email, status) exactly, since ptc
    files name OUs by id; policies other than the two AWS-managed defaults, tags and
    delegated administrators are not kept. `ptc sandbox organization OU=ACCOUNT,...` makes
    OUs and accounts with the ids given (moto's CreateAccount picks a random id), with the
    embedded sandbox's account 123456789012 as management account; an organisation it
    creates takes its root id from the first OU id (`ou-ab12-...` -> `r-ab12`), as AWS's OU
    ids embed the root's.

The sandbox as a local service (not ECR behaviour; ptc's own, for safety)
  * `ptc sandbox serve` answers only the AWS APIs. moto's /moto-api/ (dashboard, a dump of
    every stored value, reset), its instance-metadata paths and its CORS answers for any
    Origin are off (404, no Access-Control-* headers) unless --moto-api is given: AWS
    endpoints send no CORS headers for these APIs, and neither the aws CLI nor Terraform's
    provider uses moto's API. Source: issue 10, item 1; gate.py.
  * Secret values are stored as keyed fingerprints (HMAC-SHA256, key beside the state) or
    placeholders, never as sent, also when a client of the server sent them. Not strict:
    after a server restart GetSecretValue returns the fingerprint, not the value sent.
    Create, Update and Validate check only that the secret exists and has the keys, so no
    client ptc knows of depends on the value. Source: issue 10, item 2; ptc/sandbox/standin.py.
  * With a state file, the server answers one request at a time and saves after each one
    that may change something (operation names not starting with Describe, Get, List,
    BatchGet or Validate) before answering it; once shutting down it answers 503. A state
    is used by one ptc (or server) at a time (flock on STATE.lock). Source: issue 10,
    items 10 and 11; store.py.
"""

from __future__ import annotations

from typing import Final

STRIP_TRAILING_SLASH: Final = False
ECHO_IMPLIED_UPSTREAM_PREFIX: Final = False
FULL_SECRET_ARN_ONLY: Final = True
TEMPLATE_UPDATE_KEEPS_OMITTED: Final = True
REGISTRY_POLICY_SCOPE: Final = "V2"

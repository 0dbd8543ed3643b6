"""Every error the issue lists, raised by the input that should raise it (one table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ptc.domain import catalog
from ptc.sandbox.embedded import SandboxInfo

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
SECRETS = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-ptc"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f6c5a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f"
POLICY = '{"Version": "2012-10-17", "Statement": []}'


@pytest.fixture
def world(aws: SandboxInfo, make_secret: Callable[..., str], ecr: Any) -> dict[str, str]:
    """A registry with one secret, one rule ('existing') and one template ('existing')."""
    arn = make_secret()
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="existing",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=arn,
    )
    ecr.create_repository_creation_template(prefix="existing", appliedFor=["PULL_THROUGH_CACHE"])
    return {"arn": arn}


def ptc(prefix: str = "new", url: str = "public.ecr.aws", **more: object) -> dict[str, object]:
    return {"ecrRepositoryPrefix": prefix, "upstreamRegistryUrl": url, **more}


def rct(prefix: str = "new", **more: object) -> dict[str, object]:
    return {"prefix": prefix, "appliedFor": ["PULL_THROUGH_CACHE"], **more}


# (case id, operation, parameters, expected code); "$ARN" is the world's valid secret ARN.
CASES: list[tuple[str, str, dict[str, object], str]] = [
    # -- pull-through cache rules
    ("rule exists", "create_pull_through_cache_rule", ptc("existing"),
     "PullThroughCacheRuleAlreadyExistsException"),
    ("rule exists, trailing slash", "create_pull_through_cache_rule", ptc("existing/"),
     "PullThroughCacheRuleAlreadyExistsException"),
    ("unknown upstream host", "create_pull_through_cache_rule", ptc(url="harbor.example.com"),
     "UnsupportedUpstreamRegistryException"),
    ("docker.io alias", "create_pull_through_cache_rule",
     ptc(url="docker.io", credentialArn="$ARN"), "UnsupportedUpstreamRegistryException"),
    ("url with scheme", "create_pull_through_cache_rule", ptc(url="https://public.ecr.aws"),
     "UnsupportedUpstreamRegistryException"),
    ("authenticated upstream without credential", "create_pull_through_cache_rule",
     ptc(url="ghcr.io"), "UnsupportedUpstreamRegistryException"),
    ("secret missing", "create_pull_through_cache_rule",
     ptc(url="ghcr.io", credentialArn=SECRETS + "ecr-pullthroughcache/nope-AbCdEf"),
     "SecretNotFoundException"),
    ("partial secret ARN", "create_pull_through_cache_rule",
     ptc(url="ghcr.io", credentialArn=SECRETS + "ecr-pullthroughcache/docker-hub"),
     "SecretNotFoundException"),
    ("secret in another region", "create_pull_through_cache_rule",
     ptc(url="ghcr.io", credentialArn=SECRETS.replace("us-east-1", "eu-west-1")
         + "ecr-pullthroughcache/docker-hub-AbCdEf"),
     "UnableToAccessSecretException"),
    ("secret in another account", "create_pull_through_cache_rule",
     ptc(url="ghcr.io", credentialArn=SECRETS.replace(ACCOUNT, OTHER_ACCOUNT)
         + "ecr-pullthroughcache/docker-hub-AbCdEf"),
     "UnableToAccessSecretException"),
    ("prefix too long", "create_pull_through_cache_rule", ptc("a" * 31), "ValidationException"),
    ("prefix too short", "create_pull_through_cache_rule", ptc("a"), "ValidationException"),
    ("prefix upper case", "create_pull_through_cache_rule", ptc("Docker"), "ValidationException"),
    ("prefix double slash", "create_pull_through_cache_rule", ptc("a//b"), "ValidationException"),
    ("upstreamRegistry not in enum", "create_pull_through_cache_rule",
     ptc(upstreamRegistry="harbor"), "ValidationException"),
    ("credentialArn without the ecr-pullthroughcache/ name", "create_pull_through_cache_rule",
     ptc(url="ghcr.io", credentialArn=SECRETS + "github-token-AbCdEf-and-some-more"),
     "ValidationException"),
    ("credentialArn too short", "create_pull_through_cache_rule",
     ptc(url="ghcr.io", credentialArn="arn:aws:secretsmanager:"), "ValidationException"),
    ("upstreamRepositoryPrefix pattern", "create_pull_through_cache_rule",
     ptc(upstreamRepositoryPrefix="Upper"), "ValidationException"),
    ("ROOT with upstreamRepositoryPrefix", "create_pull_through_cache_rule",
     ptc("ROOT", upstreamRepositoryPrefix="library"), "InvalidParameterException"),
    ("upstreamRegistry disagrees with URL", "create_pull_through_cache_rule",
     ptc(upstreamRegistry="quay"), "InvalidParameterException"),
    ("credential for an anonymous upstream", "create_pull_through_cache_rule",
     ptc(credentialArn="$ARN"), "InvalidParameterException"),
    ("ECR upstream in a region that does not exist", "create_pull_through_cache_rule",
     ptc(url=f"{OTHER_ACCOUNT}.dkr.ecr.us-east-9.amazonaws.com", customRoleArn=ROLE),
     "UnsupportedUpstreamRegistryException"),
    ("ECR upstream with China's suffix outside China", "create_pull_through_cache_rule",
     ptc(url=f"{OTHER_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com.cn", customRoleArn=ROLE),
     "UnsupportedUpstreamRegistryException"),
    ("cross-account ECR upstream without role", "create_pull_through_cache_rule",
     ptc("ecr", f"{OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"), "InvalidParameterException"),
    ("role of another account", "create_pull_through_cache_rule",
     ptc("ecr", f"{OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
         customRoleArn=ROLE.replace(ACCOUNT, OTHER_ACCOUNT)), "InvalidParameterException"),
    ("registryId of another account", "create_pull_through_cache_rule",
     ptc(registryId=OTHER_ACCOUNT), "InvalidParameterException"),
    ("update with neither field", "update_pull_through_cache_rule",
     {"ecrRepositoryPrefix": "existing"}, "InvalidParameterException"),
    ("update unknown rule", "update_pull_through_cache_rule",
     {"ecrRepositoryPrefix": "nope", "credentialArn": "$ARN"},
     "PullThroughCacheRuleNotFoundException"),
    ("update to a missing secret", "update_pull_through_cache_rule",
     {"ecrRepositoryPrefix": "existing",
      "credentialArn": SECRETS + "ecr-pullthroughcache/nope-AbCdEf"},
     "SecretNotFoundException"),
    ("delete unknown rule", "delete_pull_through_cache_rule", {"ecrRepositoryPrefix": "nope"},
     "PullThroughCacheRuleNotFoundException"),
    ("validate unknown rule", "validate_pull_through_cache_rule", {"ecrRepositoryPrefix": "nope"},
     "PullThroughCacheRuleNotFoundException"),
    ("describe unknown prefix", "describe_pull_through_cache_rules",
     {"ecrRepositoryPrefixes": ["existing", "nope"]}, "PullThroughCacheRuleNotFoundException"),
    ("describe maxResults 0", "describe_pull_through_cache_rules", {"maxResults": 0},
     "ValidationException"),
    ("describe maxResults 1001", "describe_pull_through_cache_rules", {"maxResults": 1001},
     "ValidationException"),
    ("describe 101 prefixes", "describe_pull_through_cache_rules",
     {"ecrRepositoryPrefixes": [f"p{i}" for i in range(101)]}, "ValidationException"),
    ("describe forged nextToken", "describe_pull_through_cache_rules", {"nextToken": "forged"},
     "InvalidParameterException"),
    # -- repository creation templates
    ("template exists", "create_repository_creation_template", rct("existing"),
     "TemplateAlreadyExistsException"),
    ("update unknown template", "update_repository_creation_template", {"prefix": "nope"},
     "TemplateNotFoundException"),
    ("delete unknown template", "delete_repository_creation_template", {"prefix": "nope"},
     "TemplateNotFoundException"),
    ("template prefix too long", "create_repository_creation_template", rct("a" * 257),
     "ValidationException"),
    ("template prefix pattern", "create_repository_creation_template", rct("-a"),
     "ValidationException"),
    ("appliedFor not in enum", "create_repository_creation_template",
     {"prefix": "new", "appliedFor": ["ON_PULL"]}, "ValidationException"),
    ("appliedFor missing", "create_repository_creation_template", {"prefix": "new"},
     "ValidationException"),
    ("appliedFor empty", "create_repository_creation_template",
     {"prefix": "new", "appliedFor": []}, "InvalidParameterException"),
    ("imageTagMutability not in enum", "create_repository_creation_template",
     rct(imageTagMutability="SOMETIMES"), "ValidationException"),
    ("encryptionType not in enum", "create_repository_creation_template",
     rct(encryptionConfiguration={"encryptionType": "ROT13"}), "ValidationException"),
    ("kmsKey is an alias", "create_repository_creation_template",
     rct(encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/ecr"},
         customRoleArn=ROLE), "ValidationException"),
    ("kmsKey with AES256", "create_repository_creation_template",
     rct(encryptionConfiguration={"encryptionType": "AES256", "kmsKey": KMS_KEY}),
     "InvalidParameterException"),
    ("tag key with the reserved aws: prefix", "create_repository_creation_template",
     rct(customRoleArn=ROLE, resourceTags=[{"Key": "aws:team", "Value": "a"}]),
     "InvalidParameterException"),
    ("tag key with a character AWS does not allow", "create_repository_creation_template",
     rct(customRoleArn=ROLE, resourceTags=[{"Key": "team#1", "Value": "a"}]),
     "InvalidParameterException"),
    ("tag value with a character AWS does not allow", "create_repository_creation_template",
     rct(customRoleArn=ROLE, resourceTags=[{"Key": "team", "Value": "a;b"}]),
     "InvalidParameterException"),
    ("registry policy over 10,240 characters", "put_registry_policy",
     {"policyText": '{"Version": "2012-10-17", "Statement": []}' + " " * 10200},
     "ValidationException"),
    ("duplicate tag keys", "create_repository_creation_template",
     rct(customRoleArn=ROLE, resourceTags=[{"Key": "k", "Value": "a"}, {"Key": "k", "Value": "b"}]),
     "InvalidParameterException"),
    ("tag key too long", "create_repository_creation_template",
     rct(customRoleArn=ROLE, resourceTags=[{"Key": "k" * 129, "Value": "a"}]),
     "ValidationException"),
    ("description too long", "create_repository_creation_template", rct(description="d" * 257),
     "ValidationException"),
    ("repositoryPolicy too long", "create_repository_creation_template",
     rct(repositoryPolicy=" " * 10241), "ValidationException"),
    ("repositoryPolicy with Effect Permit", "create_repository_creation_template",
     rct(repositoryPolicy='{"Version": "2012-10-17", "Statement": [{"Effect": "Permit", '
                          '"Principal": "*", "Action": "ecr:BatchGetImage"}]}'),
     "InvalidParameterException"),
    ("repositoryPolicy statement without Principal", "create_repository_creation_template",
     rct(repositoryPolicy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                          '"Action": "ecr:BatchGetImage"}]}'),
     "InvalidParameterException"),
    ("repositoryPolicy not JSON", "create_repository_creation_template",
     rct(repositoryPolicy="{not json"), "InvalidParameterException"),
    ("lifecyclePolicy too long", "create_repository_creation_template",
     rct(lifecyclePolicy=" " * 30721), "ValidationException"),
    ("lifecyclePolicy not JSON", "create_repository_creation_template",
     rct(lifecyclePolicy="[1, 2"), "InvalidParameterException"),
    ("exclusion filters without *_WITH_EXCLUSION", "create_repository_creation_template",
     rct(imageTagMutability="IMMUTABLE",
         imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest"}]),
     "InvalidParameterException"),
    ("*_WITH_EXCLUSION without filters", "create_repository_creation_template",
     rct(imageTagMutability="IMMUTABLE_WITH_EXCLUSION"), "InvalidParameterException"),
    ("six exclusion filters", "create_repository_creation_template",
     rct(imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
         imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": f"v{i}*"}
                                             for i in range(6)]),
     "ValidationException"),
    ("exclusion filter pattern", "create_repository_creation_template",
     rct(imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
         imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "a/b"}]),
     "ValidationException"),
    ("exclusion filter type", "create_repository_creation_template",
     rct(imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
         imageTagMutabilityExclusionFilters=[{"filterType": "REGEX", "filter": "v*"}]),
     "ValidationException"),
    ("describe templates maxResults 1001", "describe_repository_creation_templates",
     {"maxResults": 1001}, "ValidationException"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("operation", "params", "code"),
    [pytest.param(op, params, code, id=case) for case, op, params, code in CASES],
)
def test_error(
    world: dict[str, str], raw_ecr: Any, operation: str, params: dict[str, object], code: str
) -> None:
    params = {key: world["arn"] if value == "$ARN" else value for key, value in params.items()}
    with pytest.raises(ClientError) as caught:
        getattr(raw_ecr, operation)(**params)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"]["Message"]


def test_every_listed_error_is_covered() -> None:
    listed = {
        "PullThroughCacheRuleAlreadyExistsException", "PullThroughCacheRuleNotFoundException",
        "UnsupportedUpstreamRegistryException", "SecretNotFoundException",
        "UnableToAccessSecretException", "LimitExceededException", "InvalidParameterException",
        "ValidationException", "TemplateAlreadyExistsException", "TemplateNotFoundException",
        "UnableToDecryptSecretValueException",
    }  # fmt: skip
    # LimitExceededException needs 50 rules first: test_51st_rule_is_refused; a KMS key:
    # test_every_decryption_failure_is_unable_to_decrypt.
    assert listed - {code for *_, code in CASES} == {
        "LimitExceededException",
        "UnableToDecryptSecretValueException",
    }


def test_51st_rule_is_refused(ecr: Any) -> None:
    for index in range(catalog.MAX_RULES_PER_REGION):
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix=f"rule-{index:02d}", upstreamRegistryUrl="public.ecr.aws"
        )
    with pytest.raises(ClientError) as caught:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="one-more", upstreamRegistryUrl="quay.io"
        )
    assert caught.value.response["Error"]["Code"] == "LimitExceededException"


def test_the_51st_rule_fits_in_another_region(aws: SandboxInfo) -> None:
    east = aws.session("us-east-1").client("ecr")
    for index in range(catalog.MAX_RULES_PER_REGION):
        east.create_pull_through_cache_rule(
            ecrRepositoryPrefix=f"rule-{index:02d}", upstreamRegistryUrl="public.ecr.aws"
        )
    west = aws.session("us-west-2").client("ecr")
    west.create_pull_through_cache_rule(
        ecrRepositoryPrefix="rule-50", upstreamRegistryUrl="quay.io"
    )


def test_secret_scheduled_for_deletion_cannot_be_used(
    aws: SandboxInfo, make_secret: Callable[..., str], ecr: Any
) -> None:
    arn = make_secret()
    aws.session().client("secretsmanager").delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    with pytest.raises(ClientError) as caught:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="docker-hub",
            upstreamRegistryUrl="registry-1.docker.io",
            credentialArn=arn,
        )
    assert caught.value.response["Error"]["Code"] == "UnableToAccessSecretException"


def test_update_message_is_the_services(world: dict[str, str], ecr: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="existing")
    assert "Please set either credential arn or role arn" in str(caught.value)


def test_every_decryption_failure_is_unable_to_decrypt(
    aws: SandboxInfo, make_secret: Callable[..., str], ecr: Any
) -> None:
    secrets = aws.session().client("secretsmanager")
    missing_key = secrets.create_secret(
        Name="ecr-pullthroughcache/missing-key",
        SecretString='{"username": "u", "accessToken": "t"}',
        KmsKeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000",
    )["ARN"]
    with pytest.raises(ClientError) as caught:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="hub", upstreamRegistryUrl="registry-1.docker.io",
            credentialArn=missing_key,
        )  # fmt: skip
    assert caught.value.response["Error"]["Code"] == "UnableToDecryptSecretValueException"
    kms = aws.session().client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/ecr-secrets", TargetKeyId=key)
    usable = secrets.create_secret(
        Name="ecr-pullthroughcache/with-key",
        SecretString='{"username": "u", "accessToken": "t"}',
        KmsKeyId="alias/ecr-secrets",
    )["ARN"]
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="hub", upstreamRegistryUrl="registry-1.docker.io", credentialArn=usable
    )
    assert ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="hub")["isValid"]
    kms.disable_key(KeyId=key)
    validated = ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="hub")
    assert not validated["isValid"]
    assert "Unable to decrypt" in validated["failure"]
    with pytest.raises(ClientError) as caught:
        ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="hub", credentialArn=usable)
    assert caught.value.response["Error"]["Code"] == "UnableToDecryptSecretValueException"


def test_updating_only_the_role_keeps_the_credential(world: dict[str, str], ecr: Any) -> None:
    # Only errors of UpdatePullThroughCacheRule's model: not "requires authentication".
    updated = ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="existing", customRoleArn=ROLE)
    assert (updated["credentialArn"], updated["customRoleArn"]) == (world["arn"], ROLE)


def test_a_role_on_a_non_ecr_upstream_is_accepted_as_validate_warns(ecr: Any) -> None:
    # validate: PTC213 is a warning; nothing documents a refusal (strict.py).
    rule = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="public", upstreamRegistryUrl="public.ecr.aws", customRoleArn=ROLE
    )
    assert rule["customRoleArn"] == ROLE


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("create_repository_creation_template", {"prefix": "x"},
         "1 validation error detected: Value null at 'appliedFor' failed to satisfy "
         "constraint: Member must not be null"),
        ("create_repository_creation_template",
         rct(imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
             imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": f"v{i}*"}
                                                 for i in range(6)]),
         "1 validation error detected: Value '[{filterType=WILDCARD, filter=v0*}, "
         "{filterType=WILDCARD, filter=v1*}, {filterType=WILDCARD, filter=v2*}, "
         "{filterType=WILDCARD, filter=v3*}, {filterType=WILDCARD, filter=v4*}, "
         "{filterType=WILDCARD, filter=v5*}]' at 'imageTagMutabilityExclusionFilters' failed "
         "to satisfy constraint: Member must have length less than or equal to 5"),
        ("describe_pull_through_cache_rules", {"ecrRepositoryPrefixes": []},
         "1 validation error detected: Value '[]' at 'ecrRepositoryPrefixes' failed to satisfy "
         "constraint: Member must have length greater than or equal to 1"),
    ],
)  # fmt: skip
def test_messages_show_values_as_the_service_does(
    raw_ecr: Any, operation: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ClientError) as caught:
        getattr(raw_ecr, operation)(**params)
    assert caught.value.response["Error"]["Message"] == message

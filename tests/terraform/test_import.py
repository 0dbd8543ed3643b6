"""`ptc import-terraform` on hand-written `terraform show -json` documents.

Modules, count and for_each keys, provider aliases (regions from ARNs, a plan's provider
configuration, or --region), resources ptc leaves to Terraform, refusals. The secret
version's value is a canary that must appear in nothing ptc writes or prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from ptc.cli import app
from ptc.terraform.show import block_address
from tests.terraform.showjson import (
    ACCOUNT,
    CANARY,
    module,
    ptc_statement,
    registry_policy,
    resource,
    rule,
    secret,
    secret_arn,
    state,
    template,
    version,
)

HUB = "ecr-pullthroughcache/docker-hub"
ENV = {"COLUMNS": "200", "DOCKER_HUB_USERNAME": "tf", "DOCKER_HUB_ACCESS_TOKEN": CANARY}


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    assert CANARY not in result.output
    return result


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def hub_east() -> list[dict[str, Any]]:
    return [
        secret("aws_secretsmanager_secret.hub", HUB),
        version("aws_secretsmanager_secret_version.hub", HUB),
        rule("aws_ecr_pull_through_cache_rule.hub", "docker-hub", "registry-1.docker.io",
             secret_arn(HUB)),
    ]  # fmt: skip


def hub_west() -> list[dict[str, Any]]:
    """The same secret and rule in eu-west-1, as a provider alias makes them."""
    return [
        secret("aws_secretsmanager_secret.hub_west", HUB, "eu-west-1"),
        version("aws_secretsmanager_secret_version.hub_west", HUB, "eu-west-1"),
        rule("aws_ecr_pull_through_cache_rule.hub_west", "docker-hub", "registry-1.docker.io",
             secret_arn(HUB, "eu-west-1")),
    ]  # fmt: skip


def removed_from(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert text.count("destroy = false") == text.count("removed {")
    return [line.split("= ", 1)[1] for line in text.splitlines() if line.startswith("  from = ")]


# -- what is taken over, and as what -----------------------------------------------------------


def test_modules_count_for_each_and_aliases(tmp_path: Path) -> None:
    shown = state(
        [
            *hub_east(),
            *hub_west(),
            template("aws_ecr_repository_creation_template.hub", "docker-hub",
                     region="us-east-1", description="Docker Hub"),
            registry_policy("aws_ecr_registry_policy.main", [ptc_statement("CI", "docker-hub")]),
            resource("aws_s3_bucket.logs", {"bucket": "logs"}),
        ],
        module('module.teams["a.b"]', [
            template('module.teams["a.b"].aws_ecr_repository_creation_template.team[0]',
                     "team-0", region="eu-west-1", index=0, applied_for=["REPLICATION"]),
            template('module.teams["a.b"].aws_ecr_repository_creation_template.team[1]',
                     "team-1", region="eu-west-1", index=1, applied_for=["REPLICATION"]),
        ]),
        module('module.teams["c"]', [
            template('module.teams["c"].aws_ecr_repository_creation_template.team[0]',
                     "team-c", region="eu-west-1", index=0, applied_for=["REPLICATION"]),
        ]),
    )  # fmt: skip
    out, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    result = run("import-terraform", write(tmp_path / "s.json", shown), "-o", out,
                 "--removed-blocks", removed)  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Wrote {out}: 1 rules, 1 secrets, 4 templates, 1 permissions in 2 regions.\n"
        f"Wrote {removed}: 9 removed blocks.\n"
        "Set these environment variables to each secret's username and access token before "
        "'ptc plan' (ptc never copies the values from Terraform's state):\n"
        f"  {HUB}: DOCKER_HUB_USERNAME, DOCKER_HUB_ACCESS_TOKEN\n"
        "Left to Terraform (no removed block):\n"
        "  and 1 resources of other types\n"
        f"Next: ptc validate {out}, then ptc plan {out} (it should say 'No changes.'), then "
        "delete the resource blocks the removed blocks name and run 'terraform plan'.\n"
    )
    assert result.stderr == ""
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert document == {
        "version": 1,
        "account": ACCOUNT,
        "regions": ["eu-west-1", "us-east-1"],
        # The same rule and secret in both regions: one item, as export writes it.
        "rules": [{"prefix": "docker-hub", "upstream": "registry-1.docker.io",
                   "credentials": HUB}],
        "secrets": [{"name": HUB, "username": {"env": "DOCKER_HUB_USERNAME"},
                     "access_token": {"env": "DOCKER_HUB_ACCESS_TOKEN"}}],
        "templates": [  # region by region, as export reads them
            *({"prefix": p, "applied_for": ["REPLICATION"],
               "image_tag_mutability": "MUTABLE", "regions": ["eu-west-1"]}
              for p in ("team-0", "team-1", "team-c")),
            {"prefix": "docker-hub", "applied_for": ["PULL_THROUGH_CACHE"],
             "description": "Docker Hub", "image_tag_mutability": "MUTABLE",
             "regions": ["us-east-1"]},
        ],
        "permissions": [{"sid": "CI", "principals": [f"arn:aws:iam::{ACCOUNT}:root"],
                         "prefixes": ["docker-hub"], "regions": ["us-east-1"]}],
    }  # fmt: skip
    assert removed_from(removed) == [
        "aws_secretsmanager_secret.hub",
        "aws_secretsmanager_secret_version.hub",
        "aws_ecr_pull_through_cache_rule.hub",
        "aws_secretsmanager_secret.hub_west",
        "aws_secretsmanager_secret_version.hub_west",
        "aws_ecr_pull_through_cache_rule.hub_west",
        "aws_ecr_repository_creation_template.hub",
        "aws_ecr_registry_policy.main",
        "module.teams.aws_ecr_repository_creation_template.team",  # one block, all instances
    ]
    for path in (out, removed):
        assert CANARY not in path.read_text(encoding="utf-8")
    validated = run("validate", out)
    assert (validated.exit_code, validated.stdout) == (0, f"{out}: 0 errors, 0 warnings\n")


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("aws_t.n", "aws_t.n"),
        ("aws_t.n[0]", "aws_t.n"),
        ('aws_t.n["a.b"]', "aws_t.n"),
        ('module.m["x]y"].module.k[2].aws_t.n["q\\"]"]', "module.m.module.k.aws_t.n"),
    ],
)
def test_block_address_drops_every_instance_key(address: str, block: str) -> None:
    assert block_address(address) == block


def test_a_plans_json_gives_regions_from_the_provider_configuration(tmp_path: Path) -> None:
    """The alias's region argument (a literal, or a root variable), never the alias's name."""
    prior = state(
        [rule("aws_ecr_pull_through_cache_rule.public", "ecr-public", "public.ecr.aws"),
         rule("aws_ecr_pull_through_cache_rule.quay", "quay", "quay.io")],
        module("module.west", [template("module.west.aws_ecr_repository_creation_template.t",
                                        "west-team")]),
    )  # fmt: skip
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"far": {"value": "ap-southeast-2"}},
        "planned_values": prior["values"],
        "resource_changes": [
            {"address": "aws_ecr_pull_through_cache_rule.quay", "mode": "managed",
             "change": {"actions": ["update"]}},
            {"address": "aws_s3_bucket.b", "mode": "managed", "change": {"actions": ["create"]}},
        ],
        "prior_state": prior,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
                "aws.eu": {"name": "aws", "alias": "eu",
                           "expressions": {"region": {"constant_value": "eu-west-1"}}},
                "aws.us-west-2": {"name": "aws", "alias": "us-west-2",
                                  "expressions": {"region": {"references": ["var.far"]}}},
            },
            "root_module": {
                "resources": [
                    {"address": "aws_ecr_pull_through_cache_rule.public",
                     "provider_config_key": "aws.us-west-2"},
                    {"address": "aws_ecr_pull_through_cache_rule.quay",
                     "provider_config_key": "aws"},
                ],
                "module_calls": {"west": {"module": {"resources": [
                    {"address": "aws_ecr_repository_creation_template.t",
                     "provider_config_key": "aws.eu"},
                ]}}},
            },
        },
    }  # fmt: skip
    out = tmp_path / "ptc.yaml"
    result = run("import-terraform", write(tmp_path / "plan.json", plan), "-o", out)

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: the plan would change aws_ecr_pull_through_cache_rule.quay (update); the "
        "file holds them as they are now (the plan's prior state), not as planned\n"
    )
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert document["regions"] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert [(r["prefix"], r["regions"]) for r in document["rules"]] == [
        ("ecr-public", ["ap-southeast-2"]),
        ("quay", ["us-east-1"]),
    ]
    assert document["templates"][0]["regions"] == ["eu-west-1"]
    assert "Took over 3 resource blocks; --removed-blocks FILE writes their blocks." in (
        result.stdout
    )


def test_without_a_recorded_region_it_asks_for_one(tmp_path: Path) -> None:
    shown = write(tmp_path / "s.json", state([
        rule("aws_ecr_pull_through_cache_rule.quay", "quay", "quay.io"),
        template("aws_ecr_repository_creation_template.t", "quay"),
        template("aws_ecr_repository_creation_template.six", "six", region="eu-west-1"),
    ]))  # fmt: skip
    out = tmp_path / "ptc.yaml"

    refused = run("import-terraform", shown, "-o", out)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: the JSON does not say in which region aws_ecr_pull_through_cache_rule.quay, "
        "aws_ecr_repository_creation_template.t are (AWS provider 5 records none for rules, "
        "templates and registry policies): use the JSON of a plan ('terraform plan "
        "-out=tfplan' then 'terraform show -json tfplan'), or --region for resources of the "
        "default provider's region\n"
    )
    assert not out.exists()

    assumed = run("import-terraform", shown, "-o", out, "--region", "us-east-1")
    assert assumed.exit_code == 0, assumed.output
    assert assumed.stderr == (
        "note: us-east-1 (--region) for aws_ecr_pull_through_cache_rule.quay, "
        "aws_ecr_repository_creation_template.t\n"
    )
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["regions"] == [
        "eu-west-1", "us-east-1"
    ]  # fmt: skip
    wrong = run("import-terraform", shown, "-o", out, "--region", "us-east-7")
    assert (wrong.exit_code, wrong.stderr) == (
        64, "error: --region us-east-7: not an AWS region; did you mean us-east-2?\n"
    )  # fmt: skip


# -- what stays with Terraform -------------------------------------------------------------


def test_a_policy_with_a_statement_that_does_not_fit_stays_whole(tmp_path: Path) -> None:
    replication = {
        "Sid": "Replication",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*",
    }
    shown = write(tmp_path / "s.json", state([
        *hub_east(),
        registry_policy("aws_ecr_registry_policy.main",
                        [ptc_statement("CI", "docker-hub"), replication]),
    ]))  # fmt: skip
    out, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    result = run("import-terraform", shown, "-o", out, "--removed-blocks", removed)

    assert result.exit_code == 0, result.output
    assert (
        "Left to Terraform (no removed block):\n"
        "  aws_ecr_registry_policy.main: statement Replication: it grants other actions than "
        "ecr:CreateRepository and ecr:BatchImportUpstreamImage. ECR replaces the whole "
        "registry policy at once, so it keeps one owner: Terraform keeps all of it\n"
    ) in result.stdout
    assert "permissions" not in yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "aws_ecr_registry_policy.main" not in removed_from(removed)


def test_a_block_is_taken_over_whole_or_not_at_all(tmp_path: Path) -> None:
    """One for_each secret is not ecr-pullthroughcache/: the block and its versions stay."""
    other = "team/db-password"
    shown = write(tmp_path / "s.json", state([
        secret('aws_secretsmanager_secret.s["hub"]', HUB, index="hub"),
        secret('aws_secretsmanager_secret.s["db"]', other, index="db"),
        version('aws_secretsmanager_secret_version.v["hub"]', HUB, index="hub"),
        version('aws_secretsmanager_secret_version.v["db"]', other, index="db"),
        rule("aws_ecr_pull_through_cache_rule.hub", "docker-hub", "registry-1.docker.io",
             secret_arn(HUB)),
    ]))  # fmt: skip
    out, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    result = run("import-terraform", shown, "-o", out, "--removed-blocks", removed)

    assert result.exit_code == 0, result.output
    left = result.stdout.split("Left to Terraform (no removed block):\n")[1].split("Next:")[0]
    assert left == (
        '  aws_secretsmanager_secret.s["hub"]: aws_secretsmanager_secret.s["db"] of the same '
        "resource block stays with Terraform, and a removed block would make Terraform forget "
        "every instance\n"
        '  aws_secretsmanager_secret.s["db"]: not an ecr-pullthroughcache/ secret\n'
        '  aws_secretsmanager_secret_version.v["hub"]: aws_secretsmanager_secret_version.v["db"] '
        "of the same resource block stays with Terraform, and a removed block would make "
        "Terraform forget every instance\n"
        '  aws_secretsmanager_secret_version.v["db"]: not the value of an '
        "ecr-pullthroughcache/ secret in this state\n"
    )
    assert removed_from(removed) == ["aws_ecr_pull_through_cache_rule.hub"]
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "secrets" not in document  # the rule still names it; Terraform keeps its value
    assert document["rules"][0]["credentials"] == HUB


# -- refusals: one error line, a documented exit code, nothing written -----------------------


def refused(tmp_path: Path, content: str | bytes, *extra: str) -> Result:
    source = tmp_path / "s.json"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    out, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    out.write_text("# the user's file\n", encoding="utf-8")
    result = run("import-terraform", source, "-o", out, "--removed-blocks", removed, *extra)
    assert out.read_text(encoding="utf-8") == "# the user's file\n"
    assert not removed.exists()
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    return result


def test_refuses_another_format_version(tmp_path: Path) -> None:
    result = refused(tmp_path, json.dumps({"format_version": "2.0", "values": {}}))
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {tmp_path / 's.json'}: format_version 2.0 is not supported; ptc reads "
        "format 1.x (terraform show -json of Terraform 0.12 to 1.x)\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON (Expecting value: line 1 column 1 (char 0))"),
        ('{"version": 4, "resources": []}', "is not the output of 'terraform show -json'"),
        ('{"format_version": "1.0", "values": []}',
         "'values' is not an object; is this terraform show -json?"),
        (b"\x00\x01binary", "is a binary file, not YAML or JSON text"),
    ],
    ids=["not-json", "raw-tfstate", "bad-shape", "binary"],
)  # fmt: skip
def test_refuses_what_is_not_show_json(tmp_path: Path, content: str | bytes, message: str) -> None:
    result = refused(tmp_path, content)
    assert result.exit_code == 3
    assert result.stderr == f"error: {tmp_path / 's.json'}: {message}\n"


def test_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    source = tmp_path / "huge.json"
    with source.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: nothing is really written
    result = run("import-terraform", source, "-o", tmp_path / "ptc.yaml")
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {source}: 11.5 MB is too large; ptc reads files up to 10 MiB\n"
    )


def test_refuses_a_missing_file(tmp_path: Path) -> None:
    result = run("import-terraform", tmp_path / "nope.json", "-o", tmp_path / "ptc.yaml")
    assert (result.exit_code, result.stderr) == (
        3, f"error: {tmp_path / 'nope.json'}: no such file\n"
    )  # fmt: skip
    assert not (tmp_path / "ptc.yaml").exists()


def test_refuses_resources_ptc_cannot_represent(tmp_path: Path) -> None:
    shown = state([
        secret("aws_secretsmanager_secret.hub", HUB,
               replica=[{"region": "eu-west-1", "kms_key_id": "", "status": "InSync"}]),
        version("aws_secretsmanager_secret_version.bin", HUB, secret_binary="AAEC"),
        secret("aws_secretsmanager_secret.other", "team/x", policy='{"Version":"2012-10-17"}'),
    ])  # fmt: skip
    result = refused(tmp_path, json.dumps(shown))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: ptc cannot represent 2 resources, so nothing was written: "
        "aws_secretsmanager_secret.hub (replicas in other regions, which ptc does not "
        "manage); aws_secretsmanager_secret_version.bin (a binary value; ptc's secrets hold a "
        "username and an access token)\n"
    )


def test_refuses_a_file_validate_would_refuse(tmp_path: Path) -> None:
    shown = state([rule("aws_ecr_pull_through_cache_rule.x", "x", "registry.example.com",
                        region="us-east-1")])  # fmt: skip
    result = refused(tmp_path, json.dumps(shown))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: the imported file would not validate, so nothing was written: PTC2"
    )


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        ([resource("aws_s3_bucket.b", {"bucket": "b"})],
         "nothing to take over: the JSON holds no pull-through cache rules, repository "
         "creation templates, ecr-pullthroughcache/ secrets or registry policies"),
        ([rule("aws_ecr_pull_through_cache_rule.a", "aa", "quay.io", region="us-east-1"),
          rule("aws_ecr_pull_through_cache_rule.b", "bb", "quay.io", region="us-east-1",
               registry_id="210987654321")],
         "the resources belong to 2 accounts (123456789012, 210987654321); a ptc file "
         "manages one: import each account's state separately"),
        ([secret("aws_secretsmanager_secret.x", "team/x"),
          registry_policy("aws_ecr_registry_policy.p", [{"Sid": "X", "Effect": "Deny"}])],
         "nothing to take over: aws_secretsmanager_secret.x: not an ecr-pullthroughcache/ "
         "secret; aws_ecr_registry_policy.p: the JSON does not say its region; give --region "
         "or a plan's JSON"),
    ],
    ids=["nothing", "two-accounts", "nothing-fits"],
)  # fmt: skip
def test_refuses_when_there_is_nothing_or_too_much(
    tmp_path: Path, resources: list[dict[str, Any]], message: str
) -> None:
    result = refused(tmp_path, json.dumps(state(resources)))
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")


@pytest.mark.parametrize("refused_one", ["ptc.yaml", "removed.tf"])
def test_refuses_to_write_over_a_directory_and_writes_neither_file(
    tmp_path: Path, refused_one: str
) -> None:
    shown = write(tmp_path / "s.json", state(hub_east()))
    (tmp_path / refused_one).mkdir()
    result = run("import-terraform", shown, "-o", tmp_path / "ptc.yaml", "--removed-blocks",
                 tmp_path / "removed.tf")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        3, f"error: cannot write {tmp_path / refused_one}: it is a directory, not a regular file\n"
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["s.json", refused_one])


def test_output_and_removed_blocks_must_differ(tmp_path: Path) -> None:
    shown = write(tmp_path / "s.json", state(hub_east()))
    result = run("import-terraform", shown, "-o", tmp_path / "x", "--removed-blocks",
                 tmp_path / "x")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        64, "error: --output and --removed-blocks must be different files\n"
    )  # fmt: skip
    assert not (tmp_path / "x").exists()


def test_a_secret_whose_value_stays_with_terraform_stays_too(tmp_path: Path) -> None:
    """One value, one owner: the version block also holds another secret's value."""
    shown = write(tmp_path / "s.json", state([
        *hub_east()[:1],
        secret("aws_secretsmanager_secret.other", "team/x"),
        version('aws_secretsmanager_secret_version.v["hub"]', HUB, index="hub"),
        version('aws_secretsmanager_secret_version.v["x"]', "team/x", index="x"),
        *hub_east()[2:],
    ]))  # fmt: skip
    out, removed = tmp_path / "ptc.yaml", tmp_path / "removed.tf"
    result = run("import-terraform", shown, "-o", out, "--removed-blocks", removed)

    assert result.exit_code == 0, result.output
    assert (
        '  aws_secretsmanager_secret.hub: its value aws_secretsmanager_secret_version.v["hub"] '
        "stays with Terraform\n"
    ) in result.stdout
    assert removed_from(removed) == ["aws_ecr_pull_through_cache_rule.hub"]
    assert "secrets" not in yaml.safe_load(out.read_text(encoding="utf-8"))


def test_the_file_is_what_export_writes_for_the_same_live_state(tmp_path: Path) -> None:
    """Applied to a sandbox and exported back, the import is the export (plus its secrets)."""
    west_policy = ptc_statement("WestCI", "docker-hub", "eu-west-1")
    shown = write(tmp_path / "s.json", state([
        *hub_east(),
        *hub_west(),
        rule("aws_ecr_pull_through_cache_rule.quay", "quay", "quay.io", region="eu-west-1"),
        template("aws_ecr_repository_creation_template.hub", "docker-hub", region="us-east-1",
                 lifecycle_policy=json.dumps({"rules": [{
                     "rulePriority": 1, "action": {"type": "expire"},
                     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                   "countNumber": 5}}]}),
                 resource_tags={"team": "platform"},
                 custom_role_arn=f"arn:aws:iam::{ACCOUNT}:role/ecr-template"),
        template("aws_ecr_repository_creation_template.west", "docker-hub", region="eu-west-1",
                 description="west", image_tag_mutability="IMMUTABLE"),
        registry_policy("aws_ecr_registry_policy.west", [west_policy], region="eu-west-1"),
    ]))  # fmt: skip
    imported, exported = tmp_path / "ptc.yaml", tmp_path / "exported.yaml"
    assert run("import-terraform", shown, "-o", imported).exit_code == 0
    sandbox = ["--sandbox", "--sandbox-state", str(tmp_path / "sandbox.json")]
    applied = run("apply", *sandbox, "--auto-approve", imported)
    assert applied.exit_code == 0, applied.output
    done = run("export", *sandbox, "-r", "eu-west-1", "-r", "us-east-1", "-o", exported)
    assert done.exit_code == 0, done.output

    document = yaml.safe_load(imported.read_text(encoding="utf-8"))
    assert len(document.pop("secrets")) == 1
    assert document == yaml.safe_load(exported.read_text(encoding="utf-8"))


def test_import_terraform_works_offline_without_boto3(tmp_path: Path) -> None:
    """It reads a file and writes two: no AWS, so no boto3 start-up cost either."""
    shown = write(tmp_path / "s.json", state(hub_east()))
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ptc", "import-terraform", str(shown), "-o",
         str(tmp_path / "ptc.yaml")],
        capture_output=True, text=True, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
        timeout=60, check=False,
    )  # fmt: skip
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in process.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert process.returncode == 0, process.stderr[-2000:]
    assert "ptc.terraform.takeover" in modules
    assert sorted(m for m in modules if m.split(".")[0] in {"boto3", "botocore"}) == []

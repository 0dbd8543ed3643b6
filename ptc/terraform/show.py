"""Reading what `terraform show -json` prints, for a state or for a saved plan.

Both are JSON format 1.x: a state has `values`, a plan has `prior_state` (what exists now:
the state after refresh, which is what ptc takes over) and `configuration`. Resources are
walked through every child module. Each instance keeps its full address and the address of
its resource block without instance keys, which is what a `removed` block names.

Only the attributes ptc reads are ever looked at by the callers; the values of
`aws_secretsmanager_secret_version` (which the JSON holds in clear text) never leave here
except as a yes/no.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptc.config.loader import read_text
from ptc.errors import InputError

SUPPORTED_MAJOR = "1"


class ShowJsonError(InputError):
    """The file is not the JSON of `terraform show -json`, or of a format ptc cannot read."""


@dataclass(frozen=True)
class TfResource:
    """One managed resource instance of the state."""

    address: str  # as Terraform prints it: module.a["x"].aws_thing.name[0]
    block: str  # the same without instance keys: module.a.aws_thing.name
    type: str
    values: Mapping[str, Any]
    config_region: str | None = None  # a plan's provider configuration says so


@dataclass
class ShowJson:
    resources: list[TfResource]
    from_plan: bool = False
    pending: dict[str, str] = field(default_factory=dict)  # plan: address -> planned action


def read(path: Path) -> ShowJson:
    """Parse the file; ShowJsonError (or InputError) when it cannot be used at all."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except ValueError as exc:
        # The decoder's message names a position, never the content.
        raise ShowJsonError(f"{path}: is not JSON ({exc})") from None
    return parse(data, str(path))


def parse(data: Any, source: str) -> ShowJson:
    if not isinstance(data, dict) or "format_version" not in data:
        raise ShowJsonError(f"{source}: is not the output of 'terraform show -json'")
    version = str(data["format_version"])
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise ShowJsonError(
            f"{source}: format_version {version} is not supported; ptc reads "
            f"format {SUPPORTED_MAJOR}.x (terraform show -json of Terraform 0.12 to 1.x)"
        )
    is_plan = "planned_values" in data or "resource_changes" in data
    state = data.get("prior_state") if is_plan else data
    root = _mapping((state or {}).get("values"), source, "values")
    regions = _config_regions(data) if is_plan else {}
    resources = [
        _with_region(resource, regions)
        for resource in _walk(_mapping(root.get("root_module"), source, "root_module"), source)
    ]
    return ShowJson(resources, is_plan, _pending(data) if is_plan else {})


def _mapping(value: Any, source: str, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ShowJsonError(f"{source}: '{what}' is not an object; is this terraform show -json?")
    return value


def _walk(module: Mapping[str, Any], source: str) -> Iterator[TfResource]:
    for item in module.get("resources") or []:
        if not isinstance(item, dict) or item.get("mode") != "managed":
            continue  # data sources are read, never managed: nothing to take over
        try:
            address, kind = str(item["address"]), str(item["type"])
        except KeyError as exc:
            raise ShowJsonError(f"{source}: a resource without {exc}") from None
        values = _mapping(item.get("values"), source, f"{address} values")
        yield TfResource(address, block_address(address), kind, values)
    for child in module.get("child_modules") or []:
        yield from _walk(_mapping(child, source, "child_modules"), source)


def block_address(address: str) -> str:
    """The address without instance keys: module.a["x"].aws_t.n[0] -> module.a.aws_t.n.

    A key may be a quoted string holding dots, brackets or escaped quotes, so this scans
    rather than splits.
    """
    kept: list[str] = []
    position = 0
    while position < len(address):
        char = address[position]
        if char != "[":
            kept.append(char)
            position += 1
            continue
        position = _after_key(address, position + 1)
    return "".join(kept)


def _after_key(address: str, position: int) -> int:
    """The position after the ']' closing the key that starts at `position`."""
    if position < len(address) and address[position] == '"':
        position += 1
        while position < len(address) and address[position] != '"':
            position += 2 if address[position] == "\\" else 1
        position += 1
    closing = address.find("]", position)
    return len(address) if closing < 0 else closing + 1


# -- plans -----------------------------------------------------------------------------------


def _config_regions(data: Mapping[str, Any]) -> dict[str, str]:
    """Block address -> region, where the provider configuration it uses names one.

    The region is read from the provider block's `region` argument (a literal, or a root
    variable whose value the plan records), never guessed from the alias's name.
    """
    configuration = data.get("configuration")
    if not isinstance(configuration, dict):
        return {}
    variables = data.get("variables")
    if not isinstance(variables, dict):
        variables = {}
    providers = configuration.get("provider_config") or {}
    by_key = {
        key: region
        for key, provider in providers.items()
        if (region := _provider_region(provider, key, variables)) is not None
    }
    regions: dict[str, str] = {}
    for block, key in _config_resources(configuration.get("root_module") or {}, ""):
        if key in by_key:
            regions[block] = by_key[key]
    return regions


def _provider_region(provider: Any, key: str, variables: Mapping[str, Any]) -> str | None:
    if not isinstance(provider, dict) or provider.get("name") != "aws":
        return None
    expression = (provider.get("expressions") or {}).get("region") or {}
    value = expression.get("constant_value")
    if isinstance(value, str):
        return value
    references = expression.get("references") or []
    # Only a root provider's `var.x` is the plan's variable x.
    if ":" not in key and len(references) == 1 and str(references[0]).startswith("var."):
        variable = variables.get(str(references[0])[4:])
        if isinstance(variable, dict) and isinstance(variable.get("value"), str):
            return str(variable["value"])
    return None


def _config_resources(module: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
    for item in module.get("resources") or []:
        if isinstance(item, dict) and "provider_config_key" in item:
            yield prefix + str(item.get("address")), str(item["provider_config_key"])
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            yield from _config_resources(call.get("module") or {}, f"{prefix}module.{name}.")


def _with_region(resource: TfResource, regions: Mapping[str, str]) -> TfResource:
    region = regions.get(resource.block)
    if region is None:
        return resource
    return TfResource(resource.address, resource.block, resource.type, resource.values, region)


def _pending(data: Mapping[str, Any]) -> dict[str, str]:
    """What the plan would do to each resource it changes (no-op and read left out)."""
    pending: dict[str, str] = {}
    for item in data.get("resource_changes") or []:
        if not isinstance(item, dict) or item.get("mode") != "managed":
            continue
        actions = (item.get("change") or {}).get("actions") or []
        if actions and actions not in (["no-op"], ["read"]):
            pending[str(item.get("address"))] = "-".join(str(a) for a in actions)
    return pending

"""Run every check over a file and return located findings.

Validation is layered, as in Cloud Custodian: YAML syntax, then the schema (pydantic),
then the semantic checks on whatever part of the file the schema accepted. One broken
item never hides the findings of the others, and a crash inside a check becomes a PTC002
finding instead of a traceback.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ptc.checks import registry, suppress
from ptc.checks.base import Check, Context, Finding, Problem, Severity, finding
from ptc.config.loader import DataPath, Document, YamlError, load, parse
from ptc.config.models import Accounts, Permission, PtcFile, Rule, Safety, Secret, Template
from ptc.domain import catalog
from ptc.errors import ConfigError

_ItemModel = type[Rule] | type[Secret] | type[Template] | type[Permission] | type[Accounts]
_ITEM_MODELS: dict[str, _ItemModel] = {
    "rules": Rule,
    "secrets": Secret,
    "templates": Template,
    "permissions": Permission,
}
_CUSTOM_FIX = {"value_source": "Write {env: NAME} or {file: path}, not both."}
_ERROR_CHECK = {"extra_forbidden": "PTC006", "missing": "PTC008", "literal_secret": "PTC306"}


@dataclass
class Validation:
    """The findings for one file, and the file's model when it has no errors."""

    source: str
    findings: list[Finding]
    file: PtcFile | None
    context: Context | None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def validate_file(path: str | Path, *, ignore: Iterable[str] = ()) -> Validation:
    """Validate a file on disk. Raises InputError if it cannot be read at all."""
    try:
        document = load(path)
    except YamlError as exc:
        return Validation(str(path), [_yaml_finding(str(path), exc)], None, None)
    return validate_document(document, Path(path).parent, ignore=ignore)


def validate_text(text: str, source: str, base_dir: Path, **kw: Any) -> Validation:
    try:
        document = parse(text, source)
    except YamlError as exc:
        return Validation(source, [_yaml_finding(source, exc)], None, None)
    return validate_document(document, base_dir, **kw)


def load_valid(path: str | Path) -> Validation:
    """Load a file for plan, apply or rewrite: raise ConfigError unless it has no errors."""
    result = validate_file(path)
    if result.errors or result.file is None or result.context is None:
        count = len(result.errors)
        # The findings travel with the error: the CLI prints them as validate would.
        errors, them = ("errors", "them") if count != 1 else ("error", "it")
        raise ConfigError(
            f"{path}: {count} {errors}; fix {them} first",
            list(result.errors),
        )
    return result


def validate_document(
    document: Document, base_dir: Path, *, ignore: Iterable[str] = ()
) -> Validation:
    findings = [
        finding(document, registry.by_id(p.code), Problem(p.path, p.message))
        for p in document.problems
    ]
    data = document.data
    context: Context | None = None
    schema_ok = False
    if not isinstance(data, dict):
        what = "empty" if data is None else f"{_type_name(data)}, not a mapping"
        problem = Problem((), f"the file is {what}")
        findings.append(finding(document, registry.by_id("PTC004"), problem))
    elif _version_supported(document, findings):
        schema_problems = list(_schema_problems(data))
        findings += [finding(document, check, p) for check, p in schema_problems]
        schema_ok = not schema_problems
        context = _context(document, data, base_dir)
        findings += _run_checks(context)
    inline = suppress.directives(document.text)
    findings = suppress.suppress(findings, inline) + _unknown_suppressions(document, inline)
    prefixes = tuple(ignore)
    findings = sorted({f for f in findings if not f.check_id.startswith(prefixes or ("\0",))})
    has_errors = any(f.severity is Severity.ERROR for f in findings)
    file = context.file if context is not None and schema_ok and not has_errors else None
    return Validation(document.source, findings, file, context if file else None)


def _unknown_suppressions(document: Document, found: list[suppress.Directive]) -> list[Finding]:
    check = registry.by_id("PTC010")
    return [
        Finding(
            document.source,
            directive.line,
            directive.column,
            check.id,
            check.severity,
            f"'# ptc: ignore={check_id}' silences nothing: {registry.unknown_id(check_id)}",
            check.fix,
        )
        for directive in found
        for check_id in directive.ids
        if not registry.is_known(check_id)
    ]


def _version_supported(document: Document, findings: list[Finding]) -> bool:
    version = document.data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version != 1:
        problem = Problem(("version",), f"version {version} is not supported; this ptc reads 1")
        findings.append(finding(document, registry.by_id("PTC005"), problem))
        return False
    return True


def _run_checks(context: Context) -> list[Finding]:
    findings: list[Finding] = []
    for check_class in registry.SEMANTIC_CHECKS:
        check = check_class()
        try:
            findings += [finding(context.document, check_class, p) for p in check.check(context)]
        except Exception as exc:  # noqa: BLE001 - one broken check must not stop the rest
            problem = Problem((), f"check {check_class.id} crashed: {type(exc).__name__}: {exc}")
            findings.append(finding(context.document, registry.by_id("PTC002"), problem))
    return findings


# -- schema stage ------------------------------------------------------------------------


def _schema_problems(data: dict[str, Any]) -> Iterable[tuple[type[Check], Problem]]:
    try:
        PtcFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_input=True, include_url=False):
            yield _schema_problem(error)


def _schema_problem(error: Any) -> tuple[type[Check], Problem]:
    loc: DataPath = tuple(error["loc"])
    kind = error["type"]
    check = registry.by_id(_ERROR_CHECK.get(kind, "PTC007"))
    where = dotted(loc[:-1]) if loc[:-1] else "the file"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = _did_you_mean(key, _fields_at(loc[:-1]))
        return check, Problem(loc, f"unknown key '{key}' in {where}{hint}", at_key=True)
    if kind == "missing":
        return check, Problem(loc[:-1], f"{where} is missing '{loc[-1]}'")
    if kind in ("literal_secret", "value_source"):
        return check, Problem(loc, f"{dotted(loc)}: {error['msg']}", fix=_CUSTOM_FIX.get(kind))
    # Never echo the input itself: it may be a secret written where it does not belong.
    got = _type_name(error.get("input"))
    return check, Problem(loc, f"{dotted(loc) or 'the file'}: {error['msg'].lower()} (got {got})")


def _fields_at(loc: DataPath) -> list[str]:
    model: Any = PtcFile
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return []
        model = _inner_model(fields[part].annotation)
    return list(getattr(model, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _did_you_mean(key: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _context(document: Document, data: dict[str, Any], base_dir: Path) -> Context:
    """Build the semantic checks' view: every part of the file the schema accepts."""
    top: dict[str, Any] = {"version": 1, "regions": []}
    for name in ("account", "regions", "prune"):
        if name in data and _valid_top_level(name, data[name]):
            top[name] = data[name]
    if "accounts" in data:
        top["accounts"] = _salvage(Accounts, data["accounts"])
    items: dict[str, list[tuple[DataPath, Any]]] = {name: [] for name in _ITEM_MODELS}
    for name, model in _ITEM_MODELS.items():
        raw = data.get(name)
        for index, item in enumerate(raw if isinstance(raw, list) else []):
            salvaged = _salvage(model, item)
            if salvaged is not None:
                items[name].append(((name, index), salvaged))
    lists: dict[str, Any] = {name: [model for _, model in pairs] for name, pairs in items.items()}
    safety = _salvage(Safety, data.get("safety"))
    if safety is not None:
        top["safety"] = safety
    file = PtcFile.model_construct(**top, **lists)
    return Context(
        document,
        file,
        base_dir,
        items["rules"],
        items["secrets"],
        items["templates"],
        items["permissions"],
    )


def _salvage(model: _ItemModel | type[Safety], item: Any) -> Any:
    """The item as a model, dropping keys the schema refused so that the rest is checked."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        if not isinstance(item, dict):
            return None
        bad = {e["loc"][0] for e in exc.errors() if e["loc"] and e["type"] != "missing"}
        try:
            return model.model_validate({k: v for k, v in item.items() if k not in bad})
        except ValidationError:
            return None


def _valid_top_level(name: str, value: Any) -> bool:
    probe = {"version": 1, "regions": [catalog.DEFAULT_REGION], name: value}
    try:
        PtcFile.model_validate(probe)
    except ValidationError:
        return False
    return True


# -- locating ----------------------------------------------------------------------------


def _yaml_finding(source: str, exc: YamlError) -> Finding:
    check = registry.by_id(exc.code)
    line, column = (exc.mark.line, exc.mark.column) if exc.mark else (1, 1)
    return Finding(source, line, column, check.id, check.severity, exc.message, check.fix)


def dotted(path: DataPath) -> str:
    """rules[0].prefix, as a user would point at it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__

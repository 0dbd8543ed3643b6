"""Checks of the file's shape, reported while loading and validating the schema."""

from __future__ import annotations

from ptc.checks.base import LoadCheck, Severity


class YamlSyntax(LoadCheck):
    id = "PTC001"
    summary = "The file is not valid YAML"
    fix = "Correct the YAML syntax at the position shown (indentation, quotes, colons)."


class CheckCrashed(LoadCheck):
    id = "PTC002"
    summary = "A check failed unexpectedly (a bug in ptc)"
    fix = "Report it with the file that triggers it; the other checks still ran."


class DuplicateKey(LoadCheck):
    id = "PTC003"
    summary = "A mapping has the same key twice"
    fix = "Remove or merge the repeated key; YAML silently keeps only the last one."


class NotAMapping(LoadCheck):
    id = "PTC004"
    summary = "The file is empty or is not a mapping"
    fix = "Start the file with 'version: 1', 'regions: [...]' and a 'rules:' list."


class UnsupportedVersion(LoadCheck):
    id = "PTC005"
    summary = "The file's 'version' is not 1"
    fix = "Set 'version: 1'; it is the only file format version this ptc understands."


class UnknownKey(LoadCheck):
    id = "PTC006"
    summary = "A key that the file format does not know"
    fix = "Remove the key or correct its spelling."


class WrongType(LoadCheck):
    id = "PTC007"
    summary = "A value of the wrong type"
    fix = "Give a value of the type shown; quote account IDs and other numbers meant as text."


class MissingField(LoadCheck):
    id = "PTC008"
    summary = "A required field is missing"
    fix = "Add the field."


class DocumentTooComplex(LoadCheck):
    id = "PTC009"
    summary = "Aliases expand the document beyond what ptc reads, or refer to themselves"
    fix = "Write the values out, or use fewer nested aliases."


class UnknownSuppression(LoadCheck):
    id = "PTC010"
    severity = Severity.WARNING
    summary = "An inline '# ptc: ignore=' names no check"
    fix = "Write the check's ID as 'ptc checks' lists it (upper case), e.g. '# ptc: ignore=PTC416'."


class LiteralSecretValue(LoadCheck):
    id = "PTC306"
    summary = "A secret value is written into the file"
    fix = (
        "Replace it with {env: NAME} or {file: path}, and rotate the credential: "
        "it has been committed in clear text."
    )


SCHEMA_CHECKS = (
    YamlSyntax,
    CheckCrashed,
    DuplicateKey,
    NotAMapping,
    UnsupportedVersion,
    UnknownKey,
    WrongType,
    MissingField,
    DocumentTooComplex,
    UnknownSuppression,
    LiteralSecretValue,
)

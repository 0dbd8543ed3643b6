"""The exceptions the core raises; the CLI turns each into a message and an exit code.

Exit codes (documented in README, "Exit codes"). Each code means one thing, so that a
script can tell "changes present" from "you typed the command wrong":
  0    success (`plan`/`status --detailed-exitcode`: no changes, no drift)
  1    errors found in the file, or an operation failed (or ptc itself failed), or a
       plan deletes or replaces more than the safety thresholds allow without --force
  2    only with `--detailed-exitcode`: changes or drift present
  3    an input could not be read (missing, unreadable, a directory, not UTF-8 text, too
       large), or an output could not be written or was refused (not a regular file, no
       such folder, disk full)
  64   command-line usage error (EX_USAGE of BSD's sysexits.h: the value GNU and BSD
       tools use for "the command was used incorrectly", and one no other meaning here takes)
  130  interrupted by Ctrl-C (128 + SIGINT, what shells report)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CHANGES = 2
EXIT_UNREADABLE = 3
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


class PtcError(Exception):
    """Base of every error ptc reports to a user; the message is shown as it is."""

    exit_code = EXIT_FAILED


class UsageError(PtcError):
    """The command line asks for something that cannot be done (options that conflict)."""

    exit_code = EXIT_USAGE


class InputError(PtcError):
    """A file or stream could not be read at all (as opposed to read and found invalid)."""

    exit_code = EXIT_UNREADABLE


class ConfigError(PtcError):
    """The desired-state file is invalid; `findings` holds the details."""

    def __init__(self, message: str, findings: list[object] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


class UnsafePlanError(PtcError):
    """The plan deletes or replaces more than the safety thresholds allow without --force."""

    exit_code = EXIT_FAILED


class ValueSourceError(PtcError):
    """A secret value's source (environment variable or file) is missing or unreadable."""

"""The exceptions the core raises; the CLI turns each into a message and an exit code.

Exit codes (documented in README):
  0  success (for `plan --detailed-exitcode`: no changes)
  1  errors found in the file, or an operation failed
  2  command-line usage error; `plan --detailed-exitcode`: changes present
  3  an input could not be read (missing, a directory, not UTF-8 text, too large), or an
     output could not be written or was refused (not a regular file, no such folder, disk full)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CHANGES = 2
EXIT_USAGE = 2
EXIT_UNREADABLE = 3


class PtcError(Exception):
    """Base of every error ptc reports to a user; the message is shown as it is."""

    exit_code = EXIT_FAILED


class InputError(PtcError):
    """A file or stream could not be read at all (as opposed to read and found invalid)."""

    exit_code = EXIT_UNREADABLE


class ConfigError(PtcError):
    """The desired-state file is invalid; `findings` holds the details."""

    def __init__(self, message: str, findings: list[object] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


class ValueSourceError(PtcError):
    """A secret value's source (environment variable or file) is missing or unreadable."""

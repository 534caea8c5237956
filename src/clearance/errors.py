"""Errors a user can cause, each with the documented exit code the CLI returns for it."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in docs/cli.md and stable across releases."""

    OK = 0
    """The command completed (for ``scan``: whatever the verdicts)."""
    INTERNAL = 1
    """An unexpected bug; please report it."""
    USAGE = 2
    """Bad arguments or bad input files (YAML, schema, unknown ids)."""
    INCOMPLETE = 3
    """The scan finished but some checks could not be evaluated (see coverage.json)."""
    GATE = 4
    """A gate was reached: ``--fail-on`` (a FAIL at or above that severity) or ``diff --fail-on-new``."""
    CREDENTIALS = 5
    """No usable cloud credentials, or the identity could not be established."""
    VERIFY_FAILED = 6
    """An evidence package did not verify."""


class ClearanceError(Exception):
    """Base for errors with a precise, user-facing message."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UsageError(ClearanceError):
    exit_code = ExitCode.USAGE


class InputFileError(UsageError):
    """A file the user (or the content pack) supplied is malformed or invalid.

    The message always names the file, and the line and field when known.
    """

    def __init__(self, file: str, message: str, *, line: int | None = None, field: str | None = None):
        self.file = file
        self.line = line
        self.field = field
        self.detail = message
        where = file if line is None else f"{file}:{line}"
        at = f" (field '{field}')" if field else ""
        super().__init__(f"{where}{at}: {message}")


class CredentialsError(ClearanceError):
    exit_code = ExitCode.CREDENTIALS


class ReadOnlyViolation(ClearanceError):
    """A collector tried to call an operation outside the read-only allow-list.

    Raised before anything is sent; it is a bug in clearance, never a user error.
    """

    exit_code = ExitCode.INTERNAL

"""Exceptions and attestations: what people decided about findings a scanner produced.

An exceptions register accepts known risks (FAIL / NEEDS_CONTEXT findings become MUTED while an
exception is in force); an attestations register records a named owner's statement, with evidence,
for what a scanner cannot observe (MANUAL checks, manual framework requirements). Both are judged at
one recorded day and travel in the evidence package with their results. See docs/exceptions.md.
"""

from .attestations import AttestationRegister, load_attestations
from .exceptions import ExceptionRegister, load_exceptions
from .overlay import Overlay

__all__ = ["AttestationRegister", "ExceptionRegister", "Overlay", "load_attestations", "load_exceptions"]

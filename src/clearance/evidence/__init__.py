"""Signed evidence packages: build one from a scan directory, verify one offline.

The format is specified in ``docs/evidence.md``: a ZIP (or the same tree as a directory)
whose ``evidence/`` files are the subjects of an in-toto Statement v1, signed in a DSSE
envelope, with X.509 chains, RFC 3161 timestamps and CRLs under ``attestation/``.

Submodules are imported lazily by callers: the CLI must not pay for ``cryptography``
when it only runs a scan.
"""

"""Local fakes of cloud control planes, for the demo and the tests.

No maintained emulator exists for Azure Resource Manager (or the GCP control plane), so the project
ships its own small servers that the real SDK clients talk to over HTTP. They listen on loopback
only (``127.0.0.1:0``), hold no credentials, and are never used by ``clearance scan``: the demo
reaches them through a clearly named emulator seam. Typed and ``mypy --strict`` clean like the rest
of the package.

- :mod:`clearance.fakes.server`: the generic part (thread, route table, JSON answers, paging,
  request log, fault injection) that each provider fake builds on.
- :mod:`clearance.fakes.arm`: Azure Resource Manager.
"""

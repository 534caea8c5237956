"""What the Azure and GCP demo tests share: one recorded `clearance demo` run in a hostile environment."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .test_cli import run_cli


@dataclass(frozen=True)
class DemoRun:
    directory: Path
    code: int
    stdout: str
    seconds: float
    connections: list[Any]
    provider: str

    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.directory / "findings.json").read_text("utf-8"))
        return data

    def findings(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.document()["findings"]
        return found

    def records(self) -> list[dict[str, Any]]:
        return [
            json.loads(line)
            for path in sorted((self.directory / "raw" / self.provider).rglob("*.jsonl"))
            for line in path.read_text("utf-8").splitlines()
        ]

    def calls(self) -> list[dict[str, Any]]:
        lines = (self.directory / "logs" / "api-calls.jsonl").read_text("utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def verdict(self, check_id: str, name: str) -> str:
        found = [f["verdict"] for f in self.findings() if f["check_id"] == check_id and f["resource"]["name"] == name]
        assert len(found) == 1, f"{check_id} on {name}: {found}"
        return found[0]


def run_demo_recorded(provider: str, cwd: Path, hostile_env: dict[str, str]) -> DemoRun:
    """``clearance demo --provider P`` from ``cwd`` with ``hostile_env`` set, recording every TCP connection."""
    before, saved_env = os.getcwd(), dict(os.environ)
    connections: list[Any] = []
    guarded = socket.socket.connect

    def recording_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            connections.append(address)
        return guarded(self, address)

    os.chdir(cwd)
    os.environ.pop("NO_PROXY", None)
    os.environ.update(hostile_env)
    socket.socket.connect = recording_connect  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        code, stdout, _ = run_cli("demo", "--provider", provider)
        seconds = time.perf_counter() - started
    finally:
        socket.socket.connect = guarded  # type: ignore[method-assign]
        os.chdir(before)
        os.environ.clear()
        os.environ.update(saved_env)
    return DemoRun(cwd / f"clearance-demo-{provider}", code, stdout, seconds, connections, provider)

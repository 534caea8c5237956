"""The scheduled-scan examples in deploy/ parse, and every clearance command line in them is valid for the real CLI.

Command lines are found wherever a platform keeps them: container ``command``/``args``/``entryPoint`` in YAML and
JSON (directly, or inside ``sh -c`` scripts), systemd ``ExecStart=``, crontab lines, the Lambda handler (fed the
environment of function.json), and shell blocks of the READMEs and docs/scheduled.md. Each is parsed by click's own
parser for that command (unknown flags and missing values fail), literal values are converted by the option's type,
and the rules the CLI enforces at run time are checked: a package needs a filing id, a KMS signer with a chain and a
TSA; ``--publish`` needs ``--package``; every scheduled package is chained. So the examples cannot rot.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
import yaml

from clearance.cli import cli
from clearance.errors import UsageError
from clearance.evidence.signers.base import parse_spec
from clearance.evidence.store import parse_url
from clearance.evidence.store.s3 import PUBLISH_ACTIONS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
EXAMPLES = ("systemd", "kubernetes", "aws-ecs", "aws-lambda", "azure-container-apps", "gcp-cloud-run")
KMS_SIGNERS = ("awskms", "azurekv", "gcpkms")
_OPERATOR = re.compile(r"[();<>|&]+")


@dataclass(frozen=True)
class Invocation:
    where: str
    argv: tuple[str, ...]
    """Everything after ``clearance``."""

    def values(self, flag: str) -> list[str]:
        return [self.argv[i + 1] for i, a in enumerate(self.argv[:-1]) if a == flag]

    def has(self, flag: str) -> bool:
        return flag in self.argv


# -- finding command lines ------------------------------------------------------------------------
def _segments(line: str) -> Iterator[list[str]]:
    """Simple commands of one shell line, split at operators (;, &&, ||, |, redirections, parentheses)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segment: list[str] = []
    for token in lexer:
        if _OPERATOR.fullmatch(token):
            yield segment
            segment = []
        else:
            segment.append(token)
    yield segment


def _is_clearance(token: str) -> bool:
    return token == "clearance" or token.endswith("/clearance")


def script_invocations(text: str, where: str) -> Iterator[Invocation]:
    """clearance calls in a POSIX shell script; ``"$@"`` stands for the arguments of the last ``set --``."""
    positional: list[str] = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for words in _segments(line):
            segment = words[1:] if words[:1] in (["then"], ["else"], ["do"]) else words
            if segment[:2] == ["set", "--"]:
                positional = segment[2:]
                continue
            for i, token in enumerate(segment):
                if token == "-c" and i > 0 and segment[i - 1] in ("sh", "/bin/sh") and i + 1 < len(segment):
                    yield from script_invocations(segment[i + 1], where)
                    break
                if _is_clearance(token) and i + 1 < len(segment) and segment[i + 1] in cli.commands:
                    args = [a for t in segment[i + 1 :] for a in (positional if t == "$@" else [t])]
                    yield Invocation(where, tuple(args))
                    break


def argv_invocations(argv: list[str], where: str) -> Iterator[Invocation]:
    if argv and _is_clearance(argv[0]):
        yield Invocation(where, tuple(argv[1:]))
    elif argv[:2] in (["sh", "-c"], ["/bin/sh", "-c"]) and len(argv) > 2:
        yield from script_invocations(argv[2], where)


def container_argvs(node: Any) -> Iterator[list[str]]:
    """``command``+``args`` (Kubernetes, Container Apps, Cloud Run) or ``entryPoint``+``command`` (ECS)."""
    if isinstance(node, dict):
        if "entryPoint" in node or "args" in node or isinstance(node.get("command"), list):
            if "entryPoint" in node:
                argv = list(node["entryPoint"]) + list(node.get("command") or [])
            else:
                argv = list(node.get("command") or []) + list(node.get("args") or [])
            if argv and all(isinstance(a, str) for a in argv):
                yield argv
        for value in node.values():
            yield from container_argvs(value)
    elif isinstance(node, list):
        for item in node:
            yield from container_argvs(item)


def documents(path: Path) -> list[Any]:
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        return [json.loads(text)]
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def load_handler() -> ModuleType:
    spec = importlib.util.spec_from_file_location("clearance_lambda_handler", DEPLOY / "aws-lambda" / "handler.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lambda_environment() -> dict[str, str]:
    variables: dict[str, str] = json.loads((DEPLOY / "aws-lambda" / "function.json").read_text())["Environment"][
        "Variables"
    ]
    return variables


def shell_blocks(markdown: str) -> Iterator[str]:
    yield from re.findall(r"```(?:sh|bash|console)\n(.*?)```", markdown, flags=re.DOTALL)


def all_invocations() -> list[Invocation]:
    found: list[Invocation] = []
    for path in sorted(DEPLOY.rglob("*")):
        where = str(path.relative_to(ROOT))
        if path.suffix in (".yaml", ".yml", ".json"):
            for doc in documents(path):
                for argv in container_argvs(doc):
                    found.extend(argv_invocations(argv, where))
        elif path.suffix == ".service":
            for line in path.read_text("utf-8").replace("\\\n", " ").splitlines():
                key, _, value = line.partition("=")
                if key.startswith("Exec"):
                    found.extend(script_invocations(value.lstrip("-@+!"), where))
        elif path.suffix == ".cron":
            found.extend(script_invocations(path.read_text("utf-8"), where))
        elif path.suffix == ".md":
            for block in shell_blocks(path.read_text("utf-8")):
                found.extend(script_invocations(block, where))
    handler = load_handler()
    found.extend(argv_invocations(handler.command(lambda_environment()), "deploy/aws-lambda/handler.py"))
    for block in shell_blocks((ROOT / "docs" / "scheduled.md").read_text("utf-8")):
        found.extend(script_invocations(block, "docs/scheduled.md"))
    return found


INVOCATIONS = all_invocations()


# -- checking them ----------------------------------------------------------------------------------
def resolve(argv: tuple[str, ...]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    args = list(argv)
    while isinstance(command, click.Group):
        name = args.pop(0)
        assert name in command.commands, f"unknown command {name!r}"
        command = command.commands[name]
    return command, args


def parse(invocation: Invocation) -> dict[str, Any]:
    """Parse with click's parser for the command; convert literal values with each option's type."""
    command, args = resolve(invocation.argv)
    ctx = click.Context(command, info_name=command.name)
    opts, extra, _ = command.make_parser(ctx).parse_args(args)
    assert not extra, f"unexpected arguments {extra}"
    for param in command.params:
        value = opts.get(param.name or "")
        if value is None:
            assert not param.required, f"missing {param.get_error_hint(ctx)}"
            continue
        if isinstance(param.type, (click.Path, click.types.StringParamType)) or isinstance(value, bool):
            continue
        for item in value if isinstance(value, list) else [value]:
            if "$" not in str(item):
                param.type.convert(item, param, ctx)
    return opts


def check_rules(inv: Invocation) -> None:
    """What the CLI enforces when the command runs, and what every scheduled example must do."""
    name = inv.argv[0]
    if name not in ("scan", "package"):
        return
    if inv.has("--chain") or inv.has("--retain-days") or inv.has("--lock-mode"):
        assert inv.has("--publish"), "--chain/--retain-days/--lock-mode need --publish"
    assert not (inv.has("--chain") and inv.has("--supersedes")), "--chain and --supersedes exclude each other"
    for url in inv.values("--publish"):
        parse_url(url)
    if name == "scan" and not inv.has("--package"):
        assert not inv.has("--publish") and not inv.has("--filing-id"), "package options need --package"
        return
    assert inv.values("--filing-id") and inv.values("--signer"), "a package needs --filing-id and --signer"
    assert inv.values("--tsa"), "a package without a timestamp is rejected by verifiers"


@pytest.mark.parametrize(
    "path", sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.json")]), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_yaml_and_json_file_parses(path: Path) -> None:
    assert documents(path), f"{path} is empty"


def test_every_example_has_a_chained_scheduled_scan() -> None:
    scheduled = [i for i in INVOCATIONS if i.where.startswith("deploy/") and i.argv[0] == "scan" and i.has("--package")]
    folders = {Path(i.where).parts[1] for i in scheduled}
    assert folders == set(EXAMPLES)
    for inv in scheduled:
        assert inv.has("--chain") or inv.has("--supersedes"), f"{inv.where}: the package is not chained"
        signers = [parse_spec(spec) for spec in inv.values("--signer")]
        assert all(s.kind in KMS_SIGNERS and s.params.get("chain") for s in signers), f"{inv.where}: {signers}"


@pytest.mark.parametrize("invocation", INVOCATIONS, ids=lambda i: f"{i.where}:{' '.join(i.argv[:2])}")
def test_command_line_is_valid(invocation: Invocation) -> None:
    try:
        parse(invocation)
        check_rules(invocation)
    except (click.ClickException, UsageError, AssertionError) as exc:
        pytest.fail(f"{invocation.where}: clearance {shlex.join(invocation.argv)}\n  -> {exc}")


def test_the_checker_catches_rot() -> None:
    """A renamed flag, a bad choice, a publish without a package, an unchained package: each is caught."""
    good = next(i for i in INVOCATIONS if i.where == "deploy/kubernetes/cronjob.yaml")
    parse(good)
    bad = [
        Invocation("x", tuple(a.replace("--retain-days", "--retention-days") for a in good.argv)),
        Invocation("x", (*good.argv, "--lock-mode", "FOREVER")),
        Invocation("x", tuple(a for a in good.argv if a != "--tsa" and "tsa" not in a)),
        Invocation("x", ("scan", "--out", "o", "--publish", "s3://example-bank-evidence/x/")),
        Invocation("x", ("scan", "--out", "o", "--publish", "gs://bucket/x/")),
    ]
    for inv in bad:
        with pytest.raises((click.ClickException, UsageError, AssertionError)):
            parse(inv)
            check_rules(inv)


def test_cron_lines_have_no_unescaped_percent() -> None:
    """cron turns an unescaped % into a newline."""
    for line in (DEPLOY / "systemd" / "clearance.cron").read_text().splitlines():
        assert not re.search(r"(?<!\\)%", line), line


def test_no_secrets_in_deploy() -> None:
    for path in DEPLOY.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text("utf-8")
        assert "PRIVATE KEY" not in text, path
        assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text), path
        assert not re.search(r"aws_secret_access_key|AccountKey=|\bfile:[^ ]*\?chain=", text, re.IGNORECASE), path
        if path.name == "Dockerfile":
            copies = [line for line in text.splitlines() if line.startswith("COPY")]
            assert not any(re.search(r"\.(pem|key|p12|pfx|env)\b", line) for line in copies), path


@pytest.mark.parametrize(("dockerfile", "context"), [("container/Dockerfile", ROOT), ("aws-lambda/Dockerfile", None)])
def test_dockerfile_copies_exist(dockerfile: str, context: Path | None) -> None:
    path = DEPLOY / dockerfile
    base = context or path.parent
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["COPY"] and not any(p.startswith("--from") for p in parts):
            for source in parts[1:-1]:
                assert (base / source).exists(), f"{path}: COPY {source}: not in the build context {base}"
    if dockerfile == "container/Dockerfile":
        assert re.search(r"^FROM python:3\.11-slim$", path.read_text(), re.MULTILINE)


def test_publish_policy_grants_exactly_what_publishing_needs() -> None:
    policy = json.loads((DEPLOY / "aws-ecs" / "task-role-publish-policy.json").read_text())
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {a for a in actions if a.startswith("s3:")} == set(PUBLISH_ACTIONS)
    assert not any("Delete" in a or "Bypass" in a or a.endswith("*") for a in actions)
    assert all(s["Effect"] == "Allow" and s["Resource"] != "*" for s in policy["Statement"])


# -- the Lambda handler --------------------------------------------------------------------------------
def test_lambda_handler_runs_the_cli_and_fails_unless_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handler, run against moto's SSM and a stand-in ``clearance`` executable that records its arguments."""
    import boto3
    from moto import mock_aws

    handler = load_handler()
    monkeypatch.setattr(handler, "WORK", tmp_path / "work")
    monkeypatch.setattr(handler, "CHAIN", tmp_path / "work" / "chain.pem")
    fake = tmp_path / "bin" / "clearance"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RECORD"\nexit "$FAKE_EXIT"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("RECORD", str(tmp_path / "argv.txt"))
    for key, value in lambda_environment().items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        chain = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
        boto3.client("ssm").put_parameter(Name="/clearance/signer-chain", Value=chain, Type="String")
        monkeypatch.setenv("FAKE_EXIT", "3")
        assert handler.handler({}, None) == {"exit_code": 3, "complete": False}
        assert (tmp_path / "work" / "chain.pem").read_text() == chain + "\n"
        recorded = (tmp_path / "argv.txt").read_text().splitlines()
        assert recorded == handler.command(os.environ)[1:] and "--chain" in recorded
        monkeypatch.setenv("FAKE_EXIT", "5")
        with pytest.raises(RuntimeError, match="clearance exited with 5"):
            handler.handler({}, None)
    monkeypatch.delenv("CLEARANCE_PUBLISH_URL")
    with pytest.raises(KeyError, match="CLEARANCE_PUBLISH_URL"):
        handler.command(os.environ)

"""Runtime families and their command lines, the SDK cache's layout, `overcast runtimes`."""

from __future__ import annotations

from pathlib import Path

import pytest

from overcast import cli
from overcast.execution import node_sdk, runtimes


def test_node_path_puts_layers_before_the_sdk_and_the_task_root(tmp_path):
    code, first, second, sdk = (tmp_path / n for n in ("code", "layer1", "layer2", "sdk"))
    entries = runtimes.node_path(code, [first, second], 20, sdk).split(":")
    assert entries == [str(second / "nodejs/node20/node_modules"), str(first / "nodejs/node20/node_modules"),
                       str(second / "nodejs/node_modules"), str(first / "nodejs/node_modules"),
                       str(sdk), str(runtimes.NODE_CLIENT_DIR), str(code)]


def test_bootstrap_from_code_then_the_last_layer(tmp_path):
    code, first, second = (tmp_path / n for n in ("code", "layer1", "layer2"))
    for folder in (code, first, second):
        folder.mkdir()
    assert runtimes.bootstrap_argv(code, [first, second]) == ()
    (first / "bootstrap").write_text("#!/bin/sh\n")
    (second / "bootstrap").write_text("#!/bin/sh\n")
    assert runtimes.bootstrap_argv(code, [first, second]) == (str(second / "bootstrap"),)
    (code / "bootstrap").write_text("#!/bin/sh\n")
    assert runtimes.bootstrap_argv(code, [first, second]) == (str(code / "bootstrap"),)


@pytest.mark.parametrize(("runtime", "name"), [
    ("python3.12", "python:3.12.overcast"), ("nodejs22.x", "nodejs:22.overcast"),
    ("provided.al2023", "provided:al2023.overcast"), ("provided", "provided.overcast")])
def test_runtime_version_names(runtime, name):
    assert runtimes.version_name(runtime) == name


def test_runtime_major():
    assert runtimes.runtime_major("nodejs14.x", 20) == 14
    assert runtimes.runtime_major("nodejs", 20) == 20


def test_sdk_cache_location(monkeypatch, tmp_path):
    monkeypatch.delenv("OVERCAST_NODE_SDK_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert node_sdk.cache_root() == tmp_path / "overcast" / "node-sdk"
    monkeypatch.setenv("OVERCAST_NODE_SDK_DIR", str(tmp_path / "elsewhere"))
    assert node_sdk.modules_dir() == tmp_path / "elsewhere" / node_sdk.LAYOUT / "node_modules"
    assert not node_sdk.installed()


def test_install_without_npm_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("OVERCAST_NODE_SDK_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(node_sdk.SdkUnavailable, match="npm is not installed"):
        node_sdk.install(quiet=True)


def test_runtimes_command_reports_each_family(capsys, monkeypatch):
    monkeypatch.setenv("OVERCAST_NODE", "/nonexistent/node")
    assert cli.main(["runtimes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("python: ") and "node: unavailable" in out and "provided: " in out
    assert cli.main(["runtimes", "install", "node"]) == 1
    assert "OVERCAST_NODE" in capsys.readouterr().err
    assert Path(runtimes.NODE_CLIENT).is_file() and Path(runtimes.NODE_REDIRECT).is_file()

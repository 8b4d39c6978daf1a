"""The developer's loop without a server (issue 16): the memory guard's decisions, hot-reload
generations and what counts as a change, OVERCAST_DEBUG's syntax, and `deploy --hot-reload`'s
rewriting of templates and CDK assets."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from overcast.deploy.hot import cdk_hot_assets, reference, rewrite_cdk, source_of
from overcast.deploy.stack import FileAsset
from overcast.execution.debugging import Debugger
from overcast.execution.hotreload import HotFolders, ignored
from overcast.execution.memory import MemoryGuard, resident_bytes
from overcast.services.lambda_.debug import DebugSwitch, parse_env
from overcast.services.lambda_.errors import InvalidParameterValue

MB = 1 << 20


class FakeEnv:
    def __init__(self, pid: int, limit_mb: int) -> None:
        self.pid: int | None = pid
        self.alive = True
        self.limit = limit_mb * MB
        self.killed = False

    def memory_limit_bytes(self) -> int:
        return self.limit

    def out_of_memory(self) -> None:
        self.killed = True


def test_the_guard_kills_only_an_environment_past_its_size():
    resident = {1: 127 * MB, 2: 129 * MB}
    guard = MemoryGuard(read=lambda pid: resident[pid])
    under, over = FakeEnv(1, 128), FakeEnv(2, 128)

    async def scenario() -> None:
        guard.watch(under)
        guard.watch(over)
        guard.check()
        guard.close()

    asyncio.run(scenario())
    assert over.killed and not under.killed


def test_the_guard_samples_until_nothing_runs():
    reads: list[int] = []

    def read(pid: int) -> int:
        reads.append(pid)
        return 0

    guard = MemoryGuard(read=read, interval=0.001)
    env = FakeEnv(7, 128)

    async def scenario() -> None:
        guard.watch(env)
        while len(reads) < 3:
            await asyncio.sleep(0.001)
        guard.unwatch(env)
        seen = len(reads)
        task = guard._task
        assert task is not None
        await asyncio.wait_for(task, 5)   # the sampling task ends with the last invocation
        assert len(reads) == seen

    asyncio.run(scenario())


def test_resident_bytes_of_this_process_and_of_none():
    assert resident_bytes(os.getpid()) > MB
    assert resident_bytes(2**22 + 12345) == 0


def test_hot_folders_count_changes_of_code_only(tmp_path):
    moved: list[set[str]] = []
    folders = HotFolders(moved.append)
    code, other = str(tmp_path / "code"), str(tmp_path / "other")
    assert folders.generation([code, other]) == 0
    folders.changed([f"{code}/app.py"])
    assert moved == [{code}]
    assert folders.generation([code]) == 1 and folders.generation([other]) == 0
    folders.changed([f"{code}/__pycache__/app.cpython-312.pyc", f"{code}/.app.py.swp", f"{code}x/app.py"])
    assert len(moved) == 1   # caches, swap files and a sibling folder with a longer name are not changes


@pytest.mark.parametrize("path, is_ignored", [("/c/app.py", False), ("/c/node_modules/x/index.js", False),
                                              ("/c/__pycache__/a.pyc", True), ("/c/.git/HEAD", True),
                                              ("/c/app.py~", True), ("/c/.#app.py", True)])
def test_what_is_not_a_change_of_code(path, is_ignored):
    assert ignored(path) is is_ignored


def test_overcast_debug_entries():
    assert parse_env("a, b:6000, c:wait,d:7000:wait") == {
        "a": DebugSwitch(None, False), "b": DebugSwitch(6000, False), "c": DebugSwitch(None, True),
        "d": DebugSwitch(7000, True)}
    assert DebugSwitch().port_for("python") == 5678 and DebugSwitch().port_for("node") == 9229
    with pytest.raises(InvalidParameterValue):
        parse_env("a:70000")


def test_node_inspector_flags():
    assert Debugger(9300).node_flag() == "--inspect=127.0.0.1:9300"
    assert Debugger(9300, wait=True).node_flag() == "--inspect-brk=127.0.0.1:9300"


def _app(root: Path) -> tuple[Path, Path]:
    source = root / "functions"
    source.mkdir(parents=True)
    (source / "a.py").write_text("A = 1\n")
    (source / "lib").mkdir()
    (source / "lib" / "b.py").write_text("B = 2\n")
    asset = root / "cdk.out" / "asset.1234"
    asset.mkdir(parents=True)
    (asset / "a.py").write_text("A = 1\n")
    (asset / "lib").mkdir()
    (asset / "lib" / "b.py").write_text("B = 2\n")
    return source, asset


def test_a_cdk_asset_maps_back_to_the_folder_it_was_copied_from(tmp_path):
    source, asset = _app(tmp_path)
    assert source_of(asset, tmp_path) == source.resolve()
    (source / "a.py").write_text("A = 'edited since the synth'\n")
    assert source_of(asset, tmp_path) is None   # not the same bytes: the asset is uploaded as usual


def test_cdk_templates_point_mapped_code_at_its_folder(tmp_path):
    source, asset = _app(tmp_path)
    bundled = tmp_path / "cdk.out" / "asset.5678"
    bundled.mkdir()
    (bundled / "index.js").write_text("bundled\n")
    assets = [FileAsset(asset, "zip", "bucket", "1234.zip"), FileAsset(bundled, "zip", "bucket", "5678.zip")]
    hot, rest = cdk_hot_assets(assets, tmp_path)
    assert hot == {"1234.zip": source.resolve()} and rest == [assets[1]]
    template: dict[str, Any] = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"S3Bucket": {"Fn::Sub": "b"},
                                                                        "S3Key": "1234.zip"}}},
        "Bundled": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"S3Bucket": "b", "S3Key": "5678.zip"}}}}}
    assert rewrite_cdk(template, hot) == ["Fn"]
    assert template["Resources"]["Fn"]["Properties"]["Code"] == {"S3Bucket": "hot-reload",
                                                                 "S3Key": str(source.resolve())}
    assert template["Resources"]["Bundled"]["Properties"]["Code"]["S3Key"] == "5678.zip"


def test_sam_and_lambda_forms_of_a_reference():
    assert reference(Path("/src"), "uri") == {"Bucket": "hot-reload", "Key": "/src"}
    assert reference(Path("/src"), "code") == {"S3Bucket": "hot-reload", "S3Key": "/src"}

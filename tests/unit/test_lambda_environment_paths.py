"""AWS's paths for an environment that sees its real folders (the path-rewriting mechanism) and
the lineage recursive loop detection keeps in the trace header."""

from __future__ import annotations

from pathlib import Path

from overcast.execution.layout import AWS_LD_LIBRARY_PATH, AWS_PATH, Layout, Placement, rewrite
from overcast.invocation import recursion


def _paths_layout(tmp_path, monkeypatch) -> Layout:
    monkeypatch.setenv("OVERCAST_SANDBOX", "paths")
    return Layout(tmp_path)


def test_real_folders_stand_for_var_task_and_opt(tmp_path, monkeypatch):
    layout = _paths_layout(tmp_path, monkeypatch)
    assert not layout.namespace and layout.reason == "OVERCAST_SANDBOX=paths"
    place = layout.place(Path("/data/code/abc"), [Path("/data/code/l1"), Path("/data/code/l2")], Path("/data/rt"))
    assert place.task == "/data/code/abc" and place.runtime == "/data/rt"
    assert place.opt == ("/data/code/l2", "/data/code/l1")  # a later layer shadows an earlier one
    assert place.paths(AWS_PATH["python"]) == \
        "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/data/code/l2/bin:/data/code/l1/bin"
    assert place.paths(AWS_LD_LIBRARY_PATH["provided"]) == (
        "/lib64:/usr/lib64:/data/rt:/data/rt/lib:/data/code/abc:/data/code/abc/lib:/data/code/l2/lib:/data/code/l1/lib")
    shown = tuple((real.encode(), aws.encode()) for real, aws in place.path_map)
    trace = b'File "/data/code/abc/handler.py", line 3\nFile "/data/code/l1/python/lib.py"\n/data/rt/awslambdaric/x.py'
    assert rewrite(trace, shown) == b'File "/var/task/handler.py", line 3\nFile "/opt/python/lib.py"\n' \
                                    b'/var/runtime/awslambdaric/x.py'


def test_a_namespace_placement_mounts_the_folders():
    place = Placement("/var/task", ("/opt",), "/var/runtime", (("/var/task", "/data/code/abc"),))
    assert place.setup() == {"mounts": {"/var/task": "/data/code/abc"}, "cwd": "/var/task"}
    assert place.paths(AWS_PATH["node"]) == AWS_PATH["node"]
    assert Placement("/x", (), "/x").setup() is None


def test_lineage_counts_each_function_of_a_chain():
    header, count = recursion.advance(None, "arn:aws:lambda:us-east-1:000000000000:function:a")
    assert count == 1 and header.startswith("Root=1-")
    key = recursion.function_key("arn:aws:lambda:us-east-1:000000000000:function:a")
    assert header.endswith(f";Lineage=1:{key}:0")   # AWS's form: version, function, invocations before
    for expected in range(2, 5):
        header, count = recursion.advance(header, "arn:aws:lambda:us-east-1:000000000000:function:a")
        assert count == expected
    header, other = recursion.advance(header, "arn:aws:lambda:us-east-1:000000000000:function:b")
    assert other == 1
    assert header.count("Lineage=") == 1 and header.count("|") == 1
    # botocore percent-encodes `|` in the header it sends
    _, count = recursion.advance(header.replace("|", "%7C"), "arn:aws:lambda:us-east-1:000000000000:function:a")
    assert count == 5


def test_no_namespace_when_something_environments_need_is_under_opt(tmp_path, monkeypatch):
    monkeypatch.delenv("OVERCAST_SANDBOX", raising=False)
    layout = Layout(tmp_path, ("/opt/node/bin/node",))
    assert not layout.namespace
    assert layout.reason == "/opt/node/bin/node is under /opt, which environments see as the function's"


def test_the_invocation_keeps_the_callers_root_and_sampling():
    arn = "arn:aws:lambda:us-east-1:000000000000:function:a"
    header, _ = recursion.advance("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;"
                                  "Self=1-67891234-12456789abcdef012345678", arn)
    fields = recursion.parse(header)
    assert fields["Root"] == "1-5759e988-bd862e3fe1be46a994272793" and fields["Sampled"] == "1"
    assert fields["Parent"] != "53995c3f42cd8ad8" and len(fields["Parent"]) == 16
    assert "Self" not in fields
    assert recursion.parse(recursion.advance(None, arn, active=True)[0])["Sampled"] == "1"
    assert recursion.parse(recursion.advance("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?", arn)[0])[
        "Sampled"] == "0"


def test_the_unversioned_lineage_form_is_read_too():
    arn = "arn:aws:lambda:us-east-1:000000000000:function:a"
    key = recursion.function_key(arn)
    header, count = recursion.advance(f"Root=1-64d38018-6a56d23a731e0cbe6ed85687;Lineage={key}:4|0badf00d:2", arn)
    assert count == 6
    assert recursion.parse(header)["Lineage"] == f"1:{key}:5|0badf00d:2"

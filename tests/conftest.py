"""Shared test set-up.

Integration tests talk to one real overcast server per session (the `overcast_server` fixture of
`overcast.testing.plugin`), with AWS's timers scaled by 0.01 unless OVERCAST_TIME_SCALE says
otherwise. Tests that need their own server (restarts, crashes, another time scale) start one with
`overcast.testing.OvercastServer`.
"""

import os

os.environ.setdefault("OVERCAST_TIME_SCALE", "0.01")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def pytest_sessionstart(session) -> None:
    """Install the AWS SDK for JavaScript once, before any server needs it: a server installs it on the
    first Node.js invocation, and on a new machine that would hold the first Node.js test's request
    for the length of an npm install. Without node or the npm registry, the tests that need the SDK
    skip with their own reason."""
    import overcast.execution.node_sdk as node_sdk
    from overcast.execution.runtimes import node_available

    if not node_available() or node_sdk.installed():
        return
    print(f"\ninstalling the AWS SDK for JavaScript into {node_sdk.cache_root()} for the Node.js tests...")
    try:
        node_sdk.install(quiet=True)
    except (node_sdk.SdkUnavailable, OSError) as exc:
        print(f"the AWS SDK for JavaScript could not be installed: {exc}")

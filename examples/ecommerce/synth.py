#!/usr/bin/env python3
"""Synthesize the CDK app into the three committed cloud assemblies:

    cdk.out           OrderQueue between the event bus and the ordering function (the final architecture)
    cdk.out-direct    the rule invokes the ordering function directly (the course's intermediate step)
    cdk.out-workflow  the rule starts the order workflow, a Step Functions saga (the next step)

    python synth.py [variant ...]     only those variants' assemblies (queue, direct, workflow)

    pip install -r requirements.txt && python synth.py      (needs node for aws-cdk-lib; no CDK CLI)

A CDK app synthesizes when run with CDK_OUTDIR set, which is what `cdk synth` does. The assemblies
are committed, so deploying (`overcast deploy cdk.out`, `overcast up --demo`) needs neither node
nor aws-cdk-lib. Run this after changing `functions/` or `infrastructure/`.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSEMBLIES = {"cdk.out": "queue", "cdk.out-direct": "direct", "cdk.out-workflow": "workflow"}


def synth(out: Path, ordering: str) -> None:
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "CDK_OUTDIR": str(out), "CDK_CONTEXT_JSON": json.dumps({"ordering": ordering}),
           "CDK_DISABLE_VERSION_CHECK": "1", "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
    subprocess.run([sys.executable, "app.py"], cwd=HERE, env=env, check=True)
    (out / "tree.json").unlink(missing_ok=True)  # the construct tree, for consoles: not needed to deploy
    for asset in out.glob("asset.*"):  # the code asset is functions/ itself: link it rather than copy it
        if asset.is_dir() and _same_files(asset, HERE / "functions"):
            shutil.rmtree(asset)
            asset.symlink_to(Path("..") / "functions", target_is_directory=True)
    print(f"synthesized the {ordering} variant into {out}")


def _same_files(a: Path, b: Path) -> bool:
    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}

    return files(a) == files(b)


if __name__ == "__main__":
    for folder, variant in ASSEMBLIES.items():
        if len(sys.argv) < 2 or variant in sys.argv[1:]:
            synth(HERE / folder, variant)

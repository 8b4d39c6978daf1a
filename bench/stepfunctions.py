"""Step Functions' cost per state transition: a 10-state Lambda workflow (each state a Task on the
same warm function) run with StartSyncExecution, against 10 direct warm Invokes of that function
from the client, on one overcast server.

    PYTHONPATH=src python -m bench.stepfunctions [--runs 30]

The overhead per transition is (workflow p50 - 10 × Invoke p50) / 10: what the interpreter, its
history events (one SQLite transaction each) and the in-process invoke add to each state.
"""

from __future__ import annotations

import argparse
import json
import time

import boto3
from botocore.config import Config

from bench.common import banner, client, deploy_function, footer, percentile
from overcast.testing import OvercastServer

HANDLER = "def handler(event, context):\n    return {'n': event.get('n', 0) + 1}\n"
STATES = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    banner(f"Step Functions: a {STATES}-state Lambda workflow vs {STATES} direct Invokes")
    with OvercastServer() as server:
        lam = client("lambda", server.url)
        # StartSyncExecution's `sync-` host prefix cannot resolve on a local endpoint
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}))
        deploy_function(lam, "step", HANDLER)
        fn = lam.get_function(FunctionName="step")["Configuration"]["FunctionArn"]
        states = {f"S{i}": {"Type": "Task", "Resource": fn, **({"Next": f"S{i + 1}"} if i < STATES - 1 else
                                                               {"End": True})} for i in range(STATES)}
        arn = sfn.create_state_machine(name="bench", roleArn="arn:aws:iam::000000000000:role/bench", type="EXPRESS",
                                       definition=json.dumps({"StartAt": "S0", "States": states}))["stateMachineArn"]
        workflow, direct = [], []
        for _ in range(args.runs + 3):
            start = time.perf_counter()
            result = sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 0}')
            workflow.append(time.perf_counter() - start)
            assert json.loads(result["output"]) == {"n": STATES}, result
            start = time.perf_counter()
            for _ in range(STATES):
                lam.invoke(FunctionName="step", Payload=b'{"n": 0}')["Payload"].read()
            direct.append(time.perf_counter() - start)
        workflow, direct = workflow[3:], direct[3:]
        w, d = percentile(workflow, 50) * 1000, percentile(direct, 50) * 1000
        print(f"workflow p50 {w:.1f} ms; {STATES} direct Invokes p50 {d:.1f} ms "
              f"({d / STATES:.2f} ms each)")
        print(f"per state, its invoke included: {w / STATES:.2f} ms; overhead per transition over a client's "
              f"Invoke: {(w - d) / STATES:+.2f} ms (negative: the in-process invoke skips the HTTP round trip)")
    footer()


if __name__ == "__main__":
    main()

"""The wire fuzzer (bench/fuzz.py) on a fixed budget: a deterministic sample of every hosted
service's operations with their smallest valid input, then a seeded hypothesis round of generated
and mutated requests. Zero findings: no 5xx but modeled ones, no hang, every error readable by
botocore as an AWS error code, memory bounded. The long run is `python -m bench.fuzz`."""

from __future__ import annotations

import pytest
from bench import fuzz

from overcast.testing import OvercastServer

#: every Nth operation of the (sorted) catalogue, each once
SAMPLE_EVERY = 5
#: generated cases in the seeded round
ROUND_CASES = 150


@pytest.fixture(scope="module")
def server():
    with OvercastServer(env=fuzz.SERVER_ENV) as server:
        yield server


def report(run: fuzz.Run) -> str:
    return "\n".join(f"{f.key()}\n    {f.request[:300]}" for f in run.findings.values())


def test_every_service_sampled_with_valid_input(server):
    run = fuzz.Run(server.port, server.process.pid)
    chosen = fuzz.targets()[::SAMPLE_EVERY]
    assert {t.service for t in chosen} >= {"s3", "sqs", "dynamodb", "lambda", "iam", "cloudwatch"}
    fuzz.every_operation_once(run, chosen)
    assert run.cases >= len(chosen) * 0.9  # botocore serialized (nearly) all of them
    assert not run.findings, report(run)


def test_seeded_round_of_mutations(server):
    run = fuzz.Run(server.port, server.process.pid)
    run.sample_rss()
    fuzz.run_round(run, fuzz.targets(), ROUND_CASES, round_seed=20261207)
    run.sample_rss()
    assert run.cases >= ROUND_CASES * 0.8
    assert len(run.by_mutation) >= 6  # the mutations are exercised, not just valid shapes
    assert not run.findings, report(run)
    assert run.rss_peak_kb < 1024 * 1024, f"server RSS peaked at {run.rss_peak_kb // 1024} MB"


def test_oracle_flags_what_it_must():
    """The oracle is not a rubber stamp: a bare 500, an unparseable error and a hang are findings."""
    from overcast.protocol.catalog import service_model

    model = service_model("dynamodb")
    op = model.operation_model("ListTables")
    bare = fuzz.Answer(500, {"content-type": "text/plain"}, b"Internal Server Error")
    assert fuzz.judge(model, op, "none", bare)
    no_code = fuzz.Answer(400, {"content-type": "application/x-amz-json-1.0"}, b"{}")
    assert fuzz.judge(model, op, "none", no_code)
    lambda_model = service_model("lambda")
    modeled = fuzz.Answer(500, {"content-type": "application/json", "x-amzn-errortype": "ServiceException"},
                          b'{"Type": "Service", "message": "x"}')
    get_function = lambda_model.operation_model("GetFunction")
    assert fuzz.judge(lambda_model, get_function, "none", modeled) is None  # Lambda models ServiceException as 500
    unmodeled = fuzz.Answer(500, {"content-type": "application/json", "x-amzn-errortype": "InternalFailure"}, b"{}")
    assert fuzz.judge(lambda_model, get_function, "none", unmodeled)
    assert fuzz.judge(model, op, "none", None)  # closed without an answer
    assert fuzz.judge(model, op, "bad-chunked", None) is None  # uvicorn may refuse broken HTTP

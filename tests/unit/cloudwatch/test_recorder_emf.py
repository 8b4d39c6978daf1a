"""The platform's metrics recorder and the embedded metric format parser, in process."""

import json

from overcast.invocation import emf
from overcast.metrics import MetricsRecorder, scaled_period
from overcast.testing import FakeClock

A, R = "000000000000", "us-east-1"


def test_values_aggregate_per_minute_and_drain_once():
    clock = FakeClock(start=1_800_000_030.0)
    recorder = MetricsRecorder(clock)
    for value in (1.0, 1.0, 3.0):
        recorder.record(A, R, "AWS/Lambda", "Duration", (("FunctionName", "f"),), value, "Milliseconds")
    clock.advance(60)
    recorder.record(A, R, "AWS/Lambda", "Duration", (("FunctionName", "f"),), 5.0, "Milliseconds")
    drained = sorted(recorder.drain(), key=lambda a: a.timestamp)
    assert [(a.timestamp, a.values, a.resolution) for a in drained] == [
        (1_800_000_000.0, {1.0: 2, 3.0: 1}, 60), (1_800_000_060.0, {5.0: 1}, 60)]
    assert recorder.drain() == []


def test_buckets_shrink_with_the_time_scale_and_switch_off():
    assert [scaled_period(60, s) for s in (1.0, 0.5, 0.1, 0.05, 0.01)] == [60, 30, 5, 1, 1]
    recorder = MetricsRecorder(FakeClock(scale=0.01))
    assert (recorder.bucket, recorder.resolution) == (1.0, 1)
    off = MetricsRecorder(FakeClock(), enabled=False)
    off.record(A, R, "N", "M", (), 1.0)
    assert off.drain() == []


def emf_line(**extra):
    document = {"_aws": {"Timestamp": 1_800_000_000_000, "CloudWatchMetrics": [{
        "Namespace": "Shop", "Dimensions": [["service"], []],
        "Metrics": [{"Name": "Orders", "Unit": "Count"}, {"Name": "Latency", "Unit": "Milliseconds",
                                                          "StorageResolution": 1}]}]},
        "service": "orders", "Orders": 2, "Latency": [10, 20, 20]}
    document.update(extra)
    return json.dumps(document)


def test_an_emf_line_becomes_metrics_under_every_dimension_set():
    recorder = MetricsRecorder(FakeClock())
    prefixed = f"2026-12-07T10:00:00.000Z\tabc\tINFO\t{emf_line()}"
    assert emf.extract(recorder, A, R, [(0, "plain text"), (0, prefixed)]) == 1
    got = {(a.name, a.dims, a.resolution): a.values for a in recorder.drain()}
    assert got == {
        ("Orders", (("service", "orders"),), 60): {2.0: 1}, ("Orders", (), 60): {2.0: 1},
        ("Latency", (("service", "orders"),), 1): {10.0: 1, 20.0: 2}, ("Latency", (), 1): {10.0: 1, 20.0: 2}}


def test_lines_breaking_the_spec_are_only_log_lines():
    recorder = MetricsRecorder(FakeClock())
    bad = [emf_line(service=3), emf_line(Orders="two"), emf_line(Latency=[]), '{"_aws": {"Timestamp": "x"}}',
           emf_line(_aws={"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "", "Metrics": []}]}), '{"_aws": ']
    assert emf.extract(recorder, A, R, [(0, line) for line in bad]) == 0
    assert recorder.drain() == []

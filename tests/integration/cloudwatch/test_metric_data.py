"""GetMetricData through each protocol: metric math, paging, ScanBy, labels."""

from datetime import UTC, datetime

from tests.integration.cloudwatch.helpers import error_of, minute_ago, unique


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def stat(qid, ns, name, stat="Sum", **extra):
    return {"Id": qid, "MetricStat": {"Metric": {"Namespace": ns, "MetricName": name}, "Period": 60, "Stat": stat},
            **extra}


def put_series(cw, ns, name, start, values):
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": name, "Timestamp": at(start + 60 * i), "Value": v} for i, v in enumerate(values) if v is not None])


def test_metric_math_over_the_wire(cw):
    ns, t = unique("App"), minute_ago(5)
    put_series(cw, ns, "Errors", t, [1, None, 3, 4])
    put_series(cw, ns, "Invocations", t, [10, 20, 30, 40])
    got = cw.get_metric_data(StartTime=at(t), EndTime=at(t + 240), ScanBy="TimestampAscending", MetricDataQueries=[
        stat("errors", ns, "Errors", ReturnData=False), stat("invocations", ns, "Invocations", ReturnData=False),
        {"Id": "rate", "Expression": "100 * FILL(errors, 0) / invocations", "Label": "Error rate"},
        {"Id": "total", "Expression": "SUM(METRICS())"},
    ])["MetricDataResults"]
    assert [(r["Id"], r["Label"]) for r in got] == [("rate", "Error rate"), ("total", "total")]
    assert got[0]["Timestamps"] == [at(t + 60 * i) for i in range(4)]
    assert got[0]["Values"] == [10.0, 0.0, 10.0, 10.0]
    assert got[1]["Values"] == [11.0, 20.0, 33.0, 44.0]
    err = error_of(cw.get_metric_data, StartTime=at(t), EndTime=at(t + 240), MetricDataQueries=[
        stat("errors", ns, "Errors"), {"Id": "bad", "Expression": "errors +"}])
    assert (err["Code"], err["Status"]) == ("ValidationError", 400)


def test_paging_by_max_datapoints(cw):
    ns, t = unique("App"), minute_ago(6)
    put_series(cw, ns, "Hits", t, [1, 2, 3, 4, 5])
    request = {"StartTime": at(t), "EndTime": at(t + 300), "MaxDatapoints": 2, "ScanBy": "TimestampAscending",
               "MetricDataQueries": [stat("hits", ns, "Hits")]}
    first = cw.get_metric_data(**request)
    [part] = first["MetricDataResults"]
    assert part["Values"] == [1.0, 2.0] and part["StatusCode"] == "PartialData"
    values = list(part["Values"])
    token = first.get("NextToken")
    while token:
        page = cw.get_metric_data(NextToken=token, **request)
        values += [v for r in page["MetricDataResults"] for v in r["Values"]]
        token = page.get("NextToken")
    assert values == [1.0, 2.0, 3.0, 4.0, 5.0]
    err = error_of(cw.get_metric_data, NextToken="bogus", **request)
    assert err["Code"] == "InvalidNextToken"


def test_high_resolution_metrics_at_one_second(cw):
    ns, t = unique("App"), minute_ago(2)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Fast", "Timestamp": at(t + s), "Value": s, "StorageResolution": 1} for s in (1, 2, 7)])
    got = cw.get_metric_data(StartTime=at(t), EndTime=at(t + 10), ScanBy="TimestampAscending", MetricDataQueries=[
        {"Id": "f", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Fast"}, "Period": 5, "Stat": "Sum"}}])
    [result] = got["MetricDataResults"]
    assert result["Timestamps"] == [at(t), at(t + 5)] and result["Values"] == [3.0, 7.0]


def test_metrics_insights_query(cw):
    ns, t = unique("App"), minute_ago(2)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Errors", "Dimensions": [{"Name": "Fn", "Value": fn}], "Timestamp": at(t), "Value": v}
        for fn, v in (("orders", 3), ("payments", 5), ("search", 1))])
    got = cw.get_metric_data(StartTime=at(t), EndTime=at(t + 60), MetricDataQueries=[
        {"Id": "top", "Period": 60,
         "Expression": f'SELECT SUM(Errors) FROM SCHEMA("{ns}", Fn) GROUP BY Fn ORDER BY SUM() DESC LIMIT 2'}])
    assert [(r["Label"], r["Values"]) for r in got["MetricDataResults"]] == [("payments", [5.0]), ("orders", [3.0])]

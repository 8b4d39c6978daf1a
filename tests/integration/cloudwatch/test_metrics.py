"""Metrics through boto3 in each of CloudWatch's protocols (json, smithy-rpc-v2-cbor, query)."""

from datetime import UTC, datetime

from tests.integration.cloudwatch.helpers import error_of, minute_ago, unique


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def test_put_then_statistics_data_and_listing(cw):
    ns = unique("App")
    t = minute_ago(3)
    dims = [{"Name": "Service", "Value": "orders"}]
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": at(t + 5), "Values": [10, 20, 30],
         "Counts": [1, 1, 2], "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": at(t + 65), "Value": 7, "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": dims, "Timestamp": at(t + 70),
         "StatisticValues": {"SampleCount": 2, "Sum": 6, "Minimum": 3, "Maximum": 3}, "Unit": "Milliseconds"},
    ])
    got = cw.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=at(t),
                                   EndTime=at(t + 120), Period=60, Statistics=["Sum", "SampleCount", "Maximum"],
                                   Unit="Milliseconds")
    assert got["Label"] == "Latency"
    points = sorted(got["Datapoints"], key=lambda p: p["Timestamp"])
    assert [(p["Timestamp"], p["Sum"], p["SampleCount"], p["Maximum"], p["Unit"]) for p in points] == [
        (at(t), 90.0, 4.0, 30.0, "Milliseconds"), (at(t + 60), 13.0, 3.0, 7.0, "Milliseconds")]
    ext = cw.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=at(t),
                                   EndTime=at(t + 60), Period=60, ExtendedStatistics=["p50", "p99"])
    assert ext["Datapoints"][0]["ExtendedStatistics"] == {"p50": 20.0, "p99": 30.0}
    data = cw.get_metric_data(
        MetricDataQueries=[{"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency",
                                                                  "Dimensions": dims},
                                                       "Period": 60, "Stat": "Average"}}],
        StartTime=at(t), EndTime=at(t + 120))
    [result] = data["MetricDataResults"]
    assert (result["Id"], result["Label"], result["StatusCode"]) == ("m1", "Latency", "Complete")
    assert result["Timestamps"] == [at(t + 60), at(t)] and result["Values"] == [13 / 3, 22.5]
    listed = cw.list_metrics(Namespace=ns)["Metrics"]
    assert listed == [{"Namespace": ns, "MetricName": "Latency", "Dimensions": dims}]
    assert cw.list_metrics(Namespace=ns, RecentlyActive="PT3H")["Metrics"] == listed
    assert cw.list_metrics(Namespace=ns, Dimensions=[{"Name": "Service", "Value": "other"}])["Metrics"] == []


def test_put_metric_data_errors(cw):
    ns = unique("App")
    err = error_of(cw.put_metric_data, Namespace=ns, MetricData=[
        {"MetricName": "M", "Value": 1, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}])
    assert (err["Code"], err["Status"]) == ("InvalidParameterCombination", 400)
    assert err["Message"] == ("The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues "
                              "are mutually exclusive and you have specified both.")
    err = error_of(cw.put_metric_data, Namespace=ns, MetricData=[{"MetricName": "M", "Values": [1, 2], "Counts": [1]}])
    assert err["Code"] == "InvalidParameterValue"
    err = error_of(cw.put_metric_data, Namespace=ns, MetricData=[{"MetricName": "M", "Value": 1}] * 1001)
    assert err["Message"] == "The collection MetricData must not have a size greater than 1000."
    err = error_of(cw.put_metric_data, Namespace=ns,
                   MetricData=[{"MetricName": "M", "Value": 1, "Timestamp": at(minute_ago(60 * 24 * 15))}])
    assert err["Code"] == "InvalidParameterValue"
    assert err["Message"] == "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks."
    err = error_of(cw.put_metric_data, Namespace="AWS/Lambda", MetricData=[{"MetricName": "M", "Value": 1}])
    assert err["Code"] == "InvalidParameterValue"
    err = error_of(cw.put_metric_data, Namespace=ns, MetricData=[{"MetricName": "M", "Value": 1, "Unit": "Parsecs"}])
    assert (err["Code"], err["Status"]) == ("ValidationError", 400)


def test_get_metric_statistics_errors(cw):
    t = minute_ago(10)
    err = error_of(cw.get_metric_statistics, Namespace="N", MetricName="M", StartTime=at(t), EndTime=at(t + 60),
                   Period=60)
    assert err["Code"] == "InvalidParameterCombination"
    err = error_of(cw.get_metric_statistics, Namespace="N", MetricName="M", StartTime=at(t - 86400 * 2),
                   EndTime=at(t), Period=60, Statistics=["Sum"])
    assert err["Message"] == ("You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You "
                              "may reduce the datapoints requested by increasing Period, or decreasing the time "
                              "range.")
    err = error_of(cw.get_metric_statistics, Namespace="N", MetricName="M", StartTime=at(t), EndTime=at(t + 600),
                   Period=90, Statistics=["Sum"])
    assert err["Code"] == "InvalidParameterValue"


def test_list_metrics_pages_of_500(cw):
    ns = unique("Many")
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "M", "Dimensions": [{"Name": "Id", "Value": f"{i:04d}"}], "Value": 1} for i in range(501)])
    first = cw.list_metrics(Namespace=ns)
    assert len(first["Metrics"]) == 500 and first["NextToken"]
    second = cw.list_metrics(Namespace=ns, NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 1 and "NextToken" not in second
    seen = {m["Dimensions"][0]["Value"] for m in first["Metrics"] + second["Metrics"]}
    assert len(seen) == 501


def test_values_out_of_range_are_refused(cw):
    err = error_of(cw.put_metric_data, Namespace=unique("App"),
                   MetricData=[{"MetricName": "M", "Values": [1.0, 1.7976931348623157e308]}])
    assert err["Code"] == "InvalidParameterValue"
    assert err["Message"] == ("The value 1.7976931348623157e+308 for parameter MetricData.member.1.Values.member.2 "
                              "is invalid.")

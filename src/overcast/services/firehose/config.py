"""What CreateDeliveryStream's configuration becomes in DescribeDeliveryStream, with AWS's defaults
([API reference](https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html)).

Each destination `XConfiguration` is stored as its `XDescription`: the S3 ones with buffering 5 MiB /
300 s, no compression, no encryption; the HTTP endpoint with its access key left out (AWS never
returns it), buffering 5 MiB / 300 s and retries for 300 s.
"""

from __future__ import annotations

import re
from typing import Any

from overcast.errors import ValidationError
from overcast.services.firehose.errors import InvalidArgument
from overcast.services.firehose.prefixes import check_prefixes

DESTINATION_ID = "destinationId-000000000001"
DEFAULT_HINTS = {"SizeInMBs": 5, "IntervalInSeconds": 300}
NO_ENCRYPTION = {"NoEncryptionConfig": "NoEncryption"}
NO_LOGGING = {"Enabled": False}
#: destination configurations overcast delivers to; the others are kept and described only
DESTINATIONS = ("ExtendedS3", "S3", "HttpEndpoint", "Redshift", "Elasticsearch", "Amazonopensearchservice",
                "Splunk", "AmazonOpenSearchServerless", "Snowflake", "Iceberg")


def s3_description(config: dict[str, Any], extended: bool) -> dict[str, Any]:
    """An `S3DestinationDescription` (or the extended one) from its configuration."""
    check_prefixes(config.get("Prefix"), config.get("ErrorOutputPrefix"))
    out: dict[str, Any] = {
        "RoleARN": config.get("RoleARN", ""),
        "BucketARN": config.get("BucketARN", ""),
        "BufferingHints": {**DEFAULT_HINTS, **(config.get("BufferingHints") or {})},
        "CompressionFormat": config.get("CompressionFormat", "UNCOMPRESSED"),
        "EncryptionConfiguration": config.get("EncryptionConfiguration") or NO_ENCRYPTION,
        "CloudWatchLoggingOptions": config.get("CloudWatchLoggingOptions") or NO_LOGGING,
    }
    for key in ("Prefix", "ErrorOutputPrefix"):
        if config.get(key) is not None:
            out[key] = config[key]
    if not extended:
        return out
    if (config.get("DynamicPartitioningConfiguration") or {}).get("Enabled"):
        _check_partitioning(config, out)
    out["ProcessingConfiguration"] = config.get("ProcessingConfiguration") or {"Enabled": False, "Processors": []}
    out["S3BackupMode"] = config.get("S3BackupMode", "Disabled")
    if config.get("S3BackupConfiguration"):
        out["S3BackupDescription"] = s3_description(config["S3BackupConfiguration"], extended=False)
    for key in ("DataFormatConversionConfiguration", "DynamicPartitioningConfiguration", "FileExtension",
                "CustomTimeZone"):
        if config.get(key) is not None:
            out[key] = config[key]
    return out


def _check_partitioning(config: dict[str, Any], out: dict[str, Any]) -> None:
    """AWS: dynamic partitioning needs an error output prefix and buffers of at least 64 MiB."""
    if not config.get("ErrorOutputPrefix"):
        raise InvalidArgument("ErrorOutputPrefix cannot be null or empty when dynamic partitioning is enabled.")
    if int(out["BufferingHints"]["SizeInMBs"]) < 64:
        raise InvalidArgument("BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.")


def http_description(config: dict[str, Any]) -> dict[str, Any]:
    endpoint = {k: v for k, v in (config.get("EndpointConfiguration") or {}).items() if k != "AccessKey"}
    out: dict[str, Any] = {
        "EndpointConfiguration": endpoint,
        "BufferingHints": {**DEFAULT_HINTS, **(config.get("BufferingHints") or {})},
        "CloudWatchLoggingOptions": config.get("CloudWatchLoggingOptions") or NO_LOGGING,
        "RequestConfiguration": {"ContentEncoding": "NONE", **(config.get("RequestConfiguration") or {})},
        "ProcessingConfiguration": config.get("ProcessingConfiguration") or {"Enabled": False, "Processors": []},
        "RetryOptions": config.get("RetryOptions") or {"DurationInSeconds": 300},
        "S3BackupMode": config.get("S3BackupMode", "FailedDataOnly"),
        "S3DestinationDescription": s3_description(config.get("S3Configuration") or {}, extended=False),
    }
    if config.get("RoleARN"):
        out["RoleARN"] = config["RoleARN"]
    return out


def destination(inputs: dict[str, Any]) -> dict[str, Any]:
    """The one `DestinationDescription` of a CreateDeliveryStream call; InvalidArgumentException
    unless exactly one destination is configured."""
    given = [name for name in DESTINATIONS if inputs.get(f"{name}DestinationConfiguration") is not None]
    if len(given) != 1:
        raise InvalidArgument("Exactly one destination configuration is supported for a Firehose")
    name = given[0]
    config = inputs[f"{name}DestinationConfiguration"]
    out: dict[str, Any] = {"DestinationId": DESTINATION_ID}
    if name in ("ExtendedS3", "S3"):
        # AWS describes an S3 destination both ways, whichever configuration created it.
        out["ExtendedS3DestinationDescription"] = s3_description(config, extended=True)
        out["S3DestinationDescription"] = s3_description(config, extended=False)
    elif name == "HttpEndpoint":
        endpoint = config.get("EndpointConfiguration") or {}
        check_url(str(endpoint.get("Url") or ""))
        out["HttpEndpointDestinationDescription"] = http_description(config)
    else:
        described = {k: v for k, v in config.items() if k not in ("Password", "S3Configuration")}
        if config.get("S3Configuration"):
            described["S3DestinationDescription"] = s3_description(config["S3Configuration"], extended=False)
        out[f"{name}DestinationDescription"] = described
    return out


def check_url(url: str) -> None:
    """AWS's `https://.*`, or plain HTTP to this machine (overcast's local receivers)."""
    local = re.match(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(/.*)?$", url)
    if not (url.startswith("https://") or local) or len(url) > 1000:
        raise ValidationError(f"1 validation error detected: Value '{url}' at "
                              "'httpEndpointDestinationConfiguration.endpointConfiguration.url' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: https://.*")


def access_key(inputs: dict[str, Any]) -> str | None:
    """The HTTP endpoint's access key (kept out of the description, sent in X-Amz-Firehose-Access-Key)."""
    config = inputs.get("HttpEndpointDestinationConfiguration") or {}
    return (config.get("EndpointConfiguration") or {}).get("AccessKey")


def processor_lambda(dest: dict[str, Any]) -> tuple[str, int] | None:
    """(function ARN, number of retries) of an enabled Lambda processor, or None."""
    processing = dest.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        return None
    for processor in processing.get("Processors") or []:
        if processor.get("Type") != "Lambda":
            continue
        params = {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters") or []}
        if params.get("LambdaArn"):
            return params["LambdaArn"], int(params.get("NumberOfRetries", 3))
    return None


def delivered(description: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """("s3" | "http", its description) for the destination overcast delivers to, or None."""
    dest = (description.get("Destinations") or [{}])[0]
    if "ExtendedS3DestinationDescription" in dest:
        return "s3", dest["ExtendedS3DestinationDescription"]
    if "HttpEndpointDestinationDescription" in dest:
        return "http", dest["HttpEndpointDestinationDescription"]
    return None

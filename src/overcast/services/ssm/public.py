"""Public parameters: the `/aws/service/...` parameters AWS publishes in every region, which SDKs
and CDK apps read (the latest AMI ids `ec2.MachineImage.latestAmazonLinux2023()` resolves, the
regions list, the ECS-optimized AMIs) — [AWS](https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html).

overcast hosts no EC2, so the AMI ids are stand-ins: `ami-` and 17 hex digits derived from the
parameter's name and region, stable across restarts, in the format AWS's are (DataType `text`,
as AWS's own AMI parameters have). The table is small
and documented in docs/ssm.md; anything else under `/aws/` is not found, as an unknown public
parameter is on AWS."""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: the regions AWS lists under /aws/service/global-infrastructure/regions (commercial partition),
#: with their `longName`
REGIONS = {
    "af-south-1": "Africa (Cape Town)", "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)", "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)", "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)", "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)", "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)", "eu-central-1": "Europe (Frankfurt)", "eu-central-2": "Europe (Zurich)",
    "eu-north-1": "Europe (Stockholm)", "eu-south-1": "Europe (Milan)", "eu-south-2": "Europe (Spain)",
    "eu-west-1": "Europe (Ireland)", "eu-west-2": "Europe (London)", "eu-west-3": "Europe (Paris)",
    "il-central-1": "Israel (Tel Aviv)", "me-central-1": "Middle East (UAE)", "me-south-1": "Middle East (Bahrain)",
    "sa-east-1": "South America (Sao Paulo)", "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
}
#: service codes listed under /aws/service/global-infrastructure/services (those overcast hosts, and KMS,
#: Secrets Manager)
SERVICES = ("apigateway", "cloudformation", "cloudfront", "cloudwatch", "codecommit", "cognito-idp", "dynamodb",
            "elb", "events", "firehose", "iam", "kinesis", "kms", "lambda", "logs", "s3", "scheduler",
            "secretsmanager", "ses", "sns", "sqs", "ssm", "stepfunctions", "sts", "xray")

#: AMI parameters (DataType aws:ec2:image) that CDK's MachineImage helpers and common templates read
AMI_PARAMETERS = (
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-arm64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-gp2",
    "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id",
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "/aws/service/eks/optimized-ami/1.30/amazon-linux-2/recommended/image_id",
    "/aws/service/bottlerocket/aws-ecs-1/x86_64/latest/image_id",
    "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
    "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base",
)
_MODIFIED = 1704067200.0  # 2024-01-01T00:00:00Z: a fixed date for every stand-in


def _ami(name: str, region: str) -> str:
    return "ami-" + hashlib.sha256(f"{region}:{name}".encode()).hexdigest()[:17]


def _entries(region: str) -> dict[str, tuple[str, str]]:
    """name → (value, data type) of every public parameter in `region`."""
    out = {name: (_ami(name, region), "text") for name in AMI_PARAMETERS}  # AWS's own are "text" too
    for name in ("/aws/service/ecs/optimized-ami/amazon-linux-2/recommended",
                 "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended"):
        image = _ami(name + "/image_id", region)
        out[name] = (json.dumps({"image_id": image, "image_name": f"amzn-ami-ecs-optimized-{image}",
                                 "os": "Amazon Linux", "schema_version": 1}), "text")
    base = "/aws/service/global-infrastructure"
    for code, long_name in REGIONS.items():
        out[f"{base}/regions/{code}"] = (code, "text")
        out[f"{base}/regions/{code}/longName"] = (long_name, "text")
    for service in SERVICES:
        out[f"{base}/services/{service}"] = (service, "text")
    out[f"{base}/current-region"] = (region, "text")
    return out


def lookup(region: str, name: str) -> dict[str, Any] | None:
    """The public parameter `name` as GetParameter answers it, or None."""
    found = _entries(region).get(name)
    return _doc(region, name, *found) if found else None


def under(region: str, path: str, recursive: bool) -> list[dict[str, Any]]:
    """The public parameters under `path` (GetParametersByPath)."""
    prefix = path.rstrip("/") + "/"
    return [_doc(region, name, value, kind) for name, (value, kind) in sorted(_entries(region).items())
            if name.startswith(prefix) and (recursive or "/" not in name[len(prefix):])]


def is_public(name: str) -> bool:
    return name.startswith("/aws/")


def _doc(region: str, name: str, value: str, data_type: str) -> dict[str, Any]:
    return {"Name": name, "Type": "String", "Value": value, "Version": 1, "LastModifiedDate": _MODIFIED,
            "ARN": f"arn:aws:ssm:{region}::parameter{name}", "DataType": data_type, "Tier": "Standard",
            "Labels": [], "Policies": []}

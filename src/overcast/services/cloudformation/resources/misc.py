"""Resource types with nothing to provision: CDK's metadata, wait condition handles, and SSM
parameters kept by CloudFormation itself (CDK's bootstrap stack writes one)."""

from __future__ import annotations

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider


class NothingProvider(Provider):
    """AWS::CDK::Metadata (CDK's analytics record) and wait-condition handles: accepted, no effect."""

    types = ("AWS::CDK::Metadata", "AWS::CloudFormation::WaitConditionHandle")

    async def create(self, d: Deployment) -> Outcome:
        return Outcome(d.physical_id or d.generated_name(128))

    async def update(self, d: Deployment) -> Outcome:
        return Outcome(d.physical_id or d.generated_name(128))

    async def delete(self, d: Deployment) -> None:
        return None


PROVIDERS: list[Provider] = [NothingProvider()]


class KeptProvider(Provider):
    """A type CDK's bootstrap stack declares that overcast has no service for: an ECR repository
    (only container image assets would use it). Kept with AWS's Ref and GetAtt values, no effect."""

    types = ("AWS::ECR::Repository",)

    async def create(self, d: Deployment) -> Outcome:
        name = str(d.properties.get("RepositoryName") or d.generated_name(256, lowercase=True))
        return Outcome(name, {"Arn": d.arn("ecr", f"repository/{name}"),
                              "RepositoryUri": f"{d.account}.dkr.ecr.{d.region}.amazonaws.com/{name}"})

    async def update(self, d: Deployment) -> Outcome:
        return Outcome(d.physical_id or "", dict(d.attributes))

    async def delete(self, d: Deployment) -> None:
        return None


PROVIDERS.append(KeptProvider())

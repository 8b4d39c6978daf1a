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


PROVIDERS = [NothingProvider()]

"""AWS Secrets Manager: secrets with versions and staging labels, scheduled deletion, replicas in
other regions, resource policies, rotation by a Lambda function (on demand and on a schedule, on the
platform clock), and the AWS Parameters and Secrets Lambda Extension's HTTP endpoint inside
functions. See docs/secretsmanager.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.secretsmanager.api import SecretsManagerApi

    return SecretsManagerApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.secretsmanager.extension import extension_loop
    from overcast.services.secretsmanager.rotation import due_loop

    return [lambda: due_loop(platform), lambda: extension_loop(platform)]


#: AWS words model-constraint errors with `.member.` in list paths, and lists the filter keys in its order
OPTIONS = ProtocolOptions(validation="full", validation_member_paths=True, validation_enum_order={
    "FilterNameStringType": ("all", "name", "tag-key", "description", "tag-value", "primary-region",
                             "owning-service")})

SPEC = ServiceSpec(name="secretsmanager", api=_api, loops=_loops, options=OPTIONS)

"""Every KMS operation in botocore's model, called with model-valid sample input (every member, then
required members only) on keys of each kind, answers a result or an AWS error: never a 500 other than
the 501 NotImplemented of the operations overcast does not host (custom key stores)."""

from __future__ import annotations

import botocore
import pytest
from botocore.exceptions import ClientError

from tests.unit.samples import Sampler

KEYS = [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("RSA_2048", "SIGN_VERIFY"), ("HMAC_256", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P256", "KEY_AGREEMENT")]
KEY_MEMBERS = ("KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId")


@pytest.mark.parametrize("required_only", [False, True])
def test_no_operation_answers_an_internal_error(overcast_server, required_only):
    kms = overcast_server.client("kms", validate=False)
    keys = [kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"] for spec, usage in KEYS]
    model = kms.meta.service_model
    sampler = Sampler(model, required_only=required_only)
    failures = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        for key in [*keys, "alias/aws/s3"]:
            params = sampler.input(operation)
            params.update({member: key for member in KEY_MEMBERS if member in params})
            try:
                getattr(kms, botocore.xform_name(name))(**params)
            except ClientError as error:
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                if status >= 500 and error.response["Error"]["Code"] != "NotImplemented":
                    failures.append((name, key, error.response["Error"]))
    assert failures == []

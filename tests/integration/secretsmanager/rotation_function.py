"""A rotation function written the way AWS's rotation templates are
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
one handler dispatching on `Step`, each step safe to run again, boto3 calls back to Secrets Manager.
Setting FAIL_STEP makes that step raise."""

SOURCE = '''
import json, os
import boto3

def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    client = boto3.client("secretsmanager")
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError("Secret %s is not enabled for rotation" % arn)
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        raise ValueError("Secret version %s has no stage for rotation of secret %s." % (token, arn))
    if "AWSCURRENT" in versions[token]:
        return
    if "AWSPENDING" not in versions[token]:
        raise ValueError("Secret version %s not set as AWSPENDING for rotation of secret %s." % (token, arn))
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    if os.environ.get("FAIL_STEP") == step:
        raise RuntimeError("%s failed on purpose" % step)
    if step == "createSecret":
        current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
        try:
            client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except client.exceptions.ResourceNotFoundException:
            current["password"] = client.get_random_password(ExcludeCharacters="/@\\"\\\\'")["RandomPassword"]
            client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current),
                                    VersionStages=["AWSPENDING"])
    elif step == "setSecret":
        pass  # the database would get the AWSPENDING password here
    elif step == "testSecret":
        pending = client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        assert json.loads(pending["SecretString"])["password"]
    elif step == "finishSecret":
        current = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
        client.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                           RemoveFromVersionId=current)
    else:
        raise ValueError("Invalid step parameter")
'''

"""The `overcast deploy` command: package, create or update each stack through a change set (as
`aws cloudformation deploy` does), follow its events resource by resource, print its outputs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from overcast.deploy.sources import load
from overcast.deploy.stack import DeployError, StackSource

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
NO_CHANGES = "didn't contain changes"
_EXECUTE_API = re.compile(r"^https://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(/.*)?$")

#: What Lambda answers for a runtime past its block-create date (the `deprecated_runtime` entry of services/lambda_/catalogue.py).
RETIRED_RUNTIME = "is no longer supported for creating or updating AWS Lambda functions"


def add_deploy_command(sub: Any) -> None:
    parser = sub.add_parser("deploy", help="deploy a CloudFormation template, a SAM template or a CDK cloud "
                                           "assembly (cdk.out) onto a running overcast")
    parser.add_argument("path", help="a template file (JSON/YAML, SAM too), a folder with template.yaml, or cdk.out")
    parser.add_argument("--stack-name", default=None,
                        help="stack name (default: the template's name; for cdk.out, deploy only this stack)")
    parser.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE",
                        help="template parameter values")
    parser.add_argument("--tags", nargs="*", default=[], metavar="KEY=VALUE", help="stack tags")
    parser.add_argument("--endpoint-url", default=None,
                        help="overcast's URL (default $AWS_ENDPOINT_URL or http://localhost:$OVERCAST_PORT, port 4566)")
    parser.add_argument("--region", default=None, help="region (default $AWS_DEFAULT_REGION or us-east-1)")
    parser.add_argument("--hot-reload", action="store_true",
                        help="functions and layers run from their local code folders, and each edit applies to the "
                             "next invocation (CDK asset folders are mapped back to the app's folders)")
    parser.add_argument("--poll-interval", type=float, default=0.25, help=argparse.SUPPRESS)
    parser.set_defaults(func=cmd_deploy)


def cmd_deploy(args: argparse.Namespace) -> int:
    from botocore.exceptions import ClientError, EndpointConnectionError

    try:
        overrides = _pairs(args.parameter_overrides, "--parameter-overrides")
        tags = _pairs(args.tags, "--tags")
        stacks = load(Path(args.path), args.stack_name)
        deployer = Deployer(args)
        for stack in stacks:
            if not deployer.deploy(stack, overrides, tags):
                return 1
        return 0
    except DeployError as error:
        print(f"overcast: {error}", file=sys.stderr)
        return 1
    except EndpointConnectionError as error:
        print(f"overcast: cannot reach {getattr(error, 'kwargs', {}).get('endpoint_url', 'overcast')} "
              "(is `overcast up` running?)", file=sys.stderr)
        return 2
    except ClientError as error:
        print(f"overcast: {error.response['Error'].get('Message') or error}", file=sys.stderr)
        return 1


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise DeployError(f"{option} takes KEY=VALUE pairs, not {item!r}")
        out[key] = value
    return out


class Deployer:
    def __init__(self, args: argparse.Namespace) -> None:
        import boto3
        from botocore.config import Config

        self.endpoint = (args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
                         or f"http://localhost:{os.environ.get('OVERCAST_PORT', '4566')}").rstrip("/")
        self.region = args.region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
        self.poll = args.poll_interval
        self.hot_reload = bool(getattr(args, "hot_reload", False))
        session = boto3.session.Session(
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
            aws_session_token=os.environ.get("AWS_SESSION_TOKEN"), region_name=self.region)
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=120)
        self.session, self.config = session, config
        self.cf = session.client("cloudformation", endpoint_url=self.endpoint, config=config)
        self._uploader: Any = None

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint, config=self.config)

    def uploader(self) -> Any:
        if self._uploader is None:
            from overcast.deploy.packaging import Uploader

            account = self.client("sts").get_caller_identity()["Account"]
            self._uploader = Uploader(self.client("s3"), account, self.region)
        return self._uploader

    # -- one stack ----------------------------------------------------------------------------

    def deploy(self, stack: StackSource, overrides: dict[str, str], tags: dict[str, str]) -> bool:
        print(f"\n{stack.name}: deploying", flush=True)
        template = self._prepare(stack)
        existing = self._existing(stack.name)
        change_type = "UPDATE" if existing is not None and existing["StackStatus"] != "REVIEW_IN_PROGRESS" else "CREATE"
        declared = template.get("Parameters") or {}
        values = {**{k: v for k, v in stack.parameters.items() if k in declared}, **overrides}
        parameters: list[dict[str, Any]] = [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]
        if change_type == "UPDATE":
            previous = {p["ParameterKey"] for p in existing.get("Parameters") or []}  # type: ignore[union-attr]
            # as `aws cloudformation deploy`: a parameter not given keeps the stack's current value
            parameters += [{"ParameterKey": k, "UsePreviousValue": True} for k in declared
                           if k not in values and k in previous]
        name = "overcast-deploy-" + dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        all_tags = {**stack.tags, **tags}
        created = self.cf.create_change_set(
            StackName=stack.name, ChangeSetName=name, ChangeSetType=change_type, TemplateBody=json.dumps(template),
            Parameters=parameters, Capabilities=CAPABILITIES, Description="Created by overcast deploy",
            Tags=[{"Key": k, "Value": v} for k, v in all_tags.items()])
        change_set = self._wait_change_set(created["Id"])
        if change_set["Status"] == "FAILED":
            if NO_CHANGES in change_set.get("StatusReason", ""):
                print(f"{stack.name}: no changes to deploy", flush=True)
                self._delete_change_set(created["Id"])
                self._print_outputs(self.cf.describe_stacks(StackName=stack.name)["Stacks"][0])
                return True
            print(f"{stack.name}: the change set failed: {change_set.get('StatusReason')}", file=sys.stderr)
            return False
        started = time.time() - 1
        self.cf.execute_change_set(ChangeSetName=created["Id"])
        final = self._follow(created["StackId"], started)
        return self._report(stack.name, final)

    def _prepare(self, stack: StackSource) -> dict[str, Any]:
        if stack.packaged:
            assets = self._hot_assets(stack) if self.hot_reload else stack.assets
            if assets:
                from overcast.deploy.packaging import upload_assets

                count = upload_assets(self.uploader(), assets)
                print(f"{stack.name}: uploaded {count} asset{'s' if count != 1 else ''}", flush=True)
            return stack.template
        from overcast.deploy.packaging import LOCAL_PATHS, package

        kinds = {kind for kind, _, _ in LOCAL_PATHS}
        if any(isinstance(r, dict) and r.get("Type") in kinds for r in (stack.template.get("Resources") or {}).values()):
            return package(stack, self.uploader(), self.hot_reload)
        return stack.template

    def _hot_assets(self, stack: StackSource) -> list[Any]:
        """CDK code assets copied from a folder of the app run from that folder; the rest (bundled
        code) is uploaded. Returns the assets to upload."""
        from overcast.deploy.hot import cdk_hot_assets, rewrite_cdk

        app = stack.directory.resolve().parent
        found, rest = cdk_hot_assets(stack.assets, app)
        changed = rewrite_cdk(stack.template, found)
        for folder in sorted({str(f) for f in found.values()}):
            print(f"{stack.name}: hot reload: code runs from {folder}", flush=True)
        code = [a for a in rest if a.packaging == "zip"]
        if code:
            print(f"{stack.name}: hot reload: {len(code)} code asset{'s' if len(code) != 1 else ''} match no folder "
                  f"of {app} (bundled?) and {'are' if len(code) != 1 else 'is'} uploaded as usual", flush=True)
        if not changed and not code:
            print(f"{stack.name}: hot reload: no function or layer code in this stack", flush=True)
        return rest

    def _existing(self, name: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            found = self.cf.describe_stacks(StackName=name)["Stacks"][0]
        except ClientError as error:
            if "does not exist" in error.response["Error"].get("Message", ""):
                return None
            raise
        if found["StackStatus"] == "ROLLBACK_COMPLETE":
            # a stack whose creation failed can only be deleted; CDK deletes it and starts over
            print(f"{name}: deleting the stack left by a failed creation (ROLLBACK_COMPLETE)", flush=True)
            self.cf.delete_stack(StackName=name)
            self._follow(found["StackId"], time.time() - 1, quiet=True)
            return None
        if found["StackStatus"].endswith("_IN_PROGRESS") and found["StackStatus"] != "REVIEW_IN_PROGRESS":
            raise DeployError(f"stack {name} is busy ({found['StackStatus']}); try again when it is done")
        return found  # type: ignore[no-any-return]

    def _wait_change_set(self, change_set_id: str) -> dict[str, Any]:
        while True:
            found = self.cf.describe_change_set(ChangeSetName=change_set_id)
            if found["Status"] in ("CREATE_COMPLETE", "FAILED"):
                return found  # type: ignore[no-any-return]
            time.sleep(self.poll)

    def _delete_change_set(self, change_set_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.cf.delete_change_set(ChangeSetName=change_set_id)
        except ClientError:
            pass  # it is only tidying up

    # -- progress -----------------------------------------------------------------------------

    def _follow(self, stack_id: str, since: float, quiet: bool = False) -> dict[str, Any]:
        """Print the stack's new events until it reaches a final status; the stack then."""
        seen: set[str] = set()
        while True:
            stack = self.cf.describe_stacks(StackName=stack_id)["Stacks"][0]
            for event in self._new_events(stack_id, since, seen):
                if not quiet:
                    print(_event_line(event), flush=True)
            if not stack["StackStatus"].endswith("_IN_PROGRESS"):
                for event in self._new_events(stack_id, since, seen):
                    if not quiet:
                        print(_event_line(event), flush=True)
                return stack  # type: ignore[no-any-return]
            time.sleep(self.poll)

    def _new_events(self, stack_id: str, since: float, seen: set[str]) -> list[dict[str, Any]]:
        fresh: list[dict[str, Any]] = []
        token = None
        while True:
            page = self.cf.describe_stack_events(StackName=stack_id, **({"NextToken": token} if token else {}))
            for event in page["StackEvents"]:
                if event["Timestamp"].timestamp() < since or event["EventId"] in seen:
                    return list(reversed(fresh))
                seen.add(event["EventId"])
                fresh.append(event)
            token = page.get("NextToken")
            if not token:
                return list(reversed(fresh))

    def _report(self, name: str, stack: dict[str, Any]) -> bool:
        status = stack["StackStatus"]
        if status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            print(f"\n{name}: {status}", flush=True)
            self._print_outputs(stack)
            return True
        print(f"\n{name}: {status}", file=sys.stderr)
        failures = [e for e in self.cf.describe_stack_events(StackName=stack["StackId"])["StackEvents"]
                    if e["ResourceStatus"].endswith("_FAILED") and e.get("ResourceStatusReason")
                    and e["LogicalResourceId"] != name]
        for event in reversed(failures):
            print(f"  {event['LogicalResourceId']} ({event['ResourceType']}): {event['ResourceStatusReason']}",
                  file=sys.stderr)
        if not failures and stack.get("StackStatusReason"):
            print(f"  {stack['StackStatusReason']}", file=sys.stderr)
        if any(RETIRED_RUNTIME in e["ResourceStatusReason"] for e in failures):
            print("hint: AWS no longer lets you create functions on that runtime, and neither does overcast by "
                  "default; start the server with `overcast up --legacy-runtimes` (or OVERCAST_LEGACY_RUNTIMES=1) "
                  "to run them on the nearest supported runtime", file=sys.stderr)
        return False

    def _print_outputs(self, stack: dict[str, Any]) -> None:
        outputs = stack.get("Outputs") or []
        if not outputs:
            return
        print("Outputs:")
        for output in outputs:
            value = output.get("OutputValue", "")
            print(f"  {output['OutputKey']} = {value}")
            local = self.local_url(value)
            if local:
                print(f"    (on overcast: {local})")
        sys.stdout.flush()

    def local_url(self, value: str) -> str | None:
        """An API Gateway invoke URL as overcast serves it (AWS's host names do not reach overcast)."""
        match = _EXECUTE_API.match(value.strip())
        if not match:
            return None
        return f"{self.endpoint}/_aws/execute-api/{match.group(1)}{match.group(2) or '/'}"


def _event_line(event: dict[str, Any]) -> str:
    when = event["Timestamp"].astimezone().strftime("%H:%M:%S")
    reason = f"  {event['ResourceStatusReason']}" if event.get("ResourceStatusReason") else ""
    return f"  {when}  {event['ResourceStatus']:<45} {event['ResourceType']:<40} {event['LogicalResourceId']}{reason}"

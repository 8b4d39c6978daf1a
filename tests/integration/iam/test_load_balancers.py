"""`--iam enforce`: a load balancer invokes a Lambda target as `elasticloadbalancing.amazonaws.com`
for its target group: RegisterTargets is refused unless the function's policy allows it (AWS's
AccessDenied), and a request to a function whose permission was removed since answers 502."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.iam.conftest import refused
from tests.integration.iam.test_deliveries import _function

TARGET = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def test_register_targets_needs_the_function_policy(account, enforcing):
    name, _ = _function(account, TARGET)
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    elb = account.root("elbv2")
    lb = elb.create_load_balancer(Name=f"lb-{uuid.uuid4().hex[:6]}", Subnets=["subnet-1", "subnet-2"])
    lb = lb["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"tg-{uuid.uuid4().hex[:6]}", TargetType="lambda")["TargetGroups"][0]
    group = tg["TargetGroupArn"]
    code, message, status = refused(elb.register_targets, TargetGroupArn=group, Targets=[{"Id": function}])
    assert (code, message, status) == ("AccessDenied", f"elasticloadbalancing principal does not have permission "
                                                       f"to invoke {function} from target group {group}", 403)
    lam = account.root("lambda")
    lam.add_permission(FunctionName=name, StatementId="elb", Action="lambda:InvokeFunction",
                       Principal="elasticloadbalancing.amazonaws.com", SourceArn=group)
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": function}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}])
    host = {"Host": f"{lb['LoadBalancerName']}.elb.localhost"}
    response = httpx.get(f"{enforcing.url}/x", headers=host, timeout=30)
    assert (response.status_code, response.text) == (200, "ok")
    lam.remove_permission(FunctionName=name, StatementId="elb")
    response = httpx.get(f"{enforcing.url}/x", headers=host, timeout=30)
    assert response.status_code == 502 and "502 Bad Gateway" in response.text

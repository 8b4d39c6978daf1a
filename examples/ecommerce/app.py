#!/usr/bin/env python3
"""The e-commerce application as a CDK app.

    cdk synth                          # OrderQueue between the event bus and the ordering function
    cdk synth -c ordering=direct       # the intermediate step: the rule invokes the ordering function
    cdk synth -c ordering=workflow     # the rule starts the order workflow (a Step Functions saga)

`python synth.py` writes the three cloud assemblies (`cdk.out`, `cdk.out-direct`, `cdk.out-workflow`) without the CDK CLI.
"""

import aws_cdk as cdk
from infrastructure.stack import EcommerceStack

app = cdk.App()
EcommerceStack(app, "Ecommerce", ordering=app.node.try_get_context("ordering") or "queue",
               description="Serverless event-driven e-commerce microservices (overcast example)")
app.synth()

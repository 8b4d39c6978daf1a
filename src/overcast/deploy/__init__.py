"""`overcast deploy PATH`: deploy a CloudFormation template, a SAM template or a CDK cloud assembly
(`cdk.out`) onto a running overcast, through its CloudFormation API — as `aws cloudformation deploy`
and `cdk deploy` do, without a bootstrap stack."""

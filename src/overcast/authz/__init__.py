"""IAM policy evaluation as pure functions (docs/iam.md): statements, wildcards, conditions and the
evaluation logic AWS documents, with no knowledge of where policies are stored or how a request
arrived. `overcast.services.iam` gathers a caller's policies and the gateway and the delivery path
ask `evaluation.evaluate`."""

"""The e-commerce application's infrastructure as CDK constructs, one per concern as in the
reference stack: database, microservices, API Gateway, event bus, queue; plus the sample catalog."""

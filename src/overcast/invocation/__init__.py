"""The engine: Lambda's three invocation types, their policies, and delivery between services."""

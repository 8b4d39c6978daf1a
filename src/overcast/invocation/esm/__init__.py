"""Event source mappings: Lambda polls SQS, Kinesis and DynamoDB Streams, batches and filters
records, invokes the function synchronously, then deletes, checkpoints, retries or bisects.

Structure: a *source* adapter per service (`sqs_source.py`, `kinesis_source.py`,
`dynamodb_source.py`) turns the service's models into records shaped as Lambda delivers them; the
queue poller (`queue.py`) and the stream poller (`stream.py`) share batching (`batching.py`),
filtering (`filters.py`) and partial-failure handling (`responses.py`); `manager.py` runs one poller
per enabled mapping and completes the mappings' state transitions.
"""

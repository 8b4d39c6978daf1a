"""Event source mappings: Lambda polls SQS, Kinesis and DynamoDB Streams, batches and filters
records, invokes the function synchronously, then deletes, checkpoints, retries or bisects.

Structure: each polled service declares a *source* adapter on its `ServiceSpec` (`event_source=`,
the adapter in its own `event_source.py`; see `overcast.delivery.sources`), which turns the
service's models into records shaped as Lambda delivers them; the queue poller (`queue.py`) and the stream poller (`stream.py`) share batching (`batching.py`),
filtering (`filters.py`) and partial-failure handling (`responses.py`); `manager.py` runs one poller
per enabled mapping (opening its source through the platform's `delivery.Registry`) and completes the mappings' state transitions.
"""

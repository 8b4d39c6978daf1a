"""S3 Select: SelectObjectContent's SQL over CSV and JSON objects (see `query.py` and `engine.py`)."""

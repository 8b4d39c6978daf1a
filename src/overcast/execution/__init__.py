"""Execution environments: worker processes that run function code behind the Lambda Runtime API.

Nothing here knows about services. `zygote.py` runs in its own process and imports nothing from
overcast; the rest (`runtime_api.py`, `environment.py`, `pool.py`) runs in the platform.
"""

"""Durable state: one SQLite database, short transactions, schema in `storage/schema/`."""

from overcast.storage.db import Database, Row

__all__ = ["Database", "Row"]

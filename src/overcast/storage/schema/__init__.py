"""All DDL lives here: one module per domain, each an ordered list `MIGRATIONS`.

A migration is applied once; the applied count per domain is kept in the `schema_version` table.
Never edit a migration that has shipped: append a new one.
"""

"""Amazon Lex V2: bots, locales, intents, slots, slot types, versions, aliases and runtime sessions
as documents (see storage/documents.py), and the local Alexa skills with their sessions."""

from overcast.storage.schema.apigateway import _DOCUMENTS

MIGRATIONS = [
    _DOCUMENTS.format(table="lexv2_docs"),
]

"""What the rest of overcast (the Lex V2 runtime, local Alexa skills) uses of Lex's models: the
store of bots and sessions, the deterministic matcher and Lex's errors."""

from overcast.services.lexv2_models import errors, matcher
from overcast.services.lexv2_models.models import DRAFT, TEST_ALIAS, LexStore, parent_of, public

__all__ = ["DRAFT", "TEST_ALIAS", "LexStore", "errors", "matcher", "parent_of", "public"]

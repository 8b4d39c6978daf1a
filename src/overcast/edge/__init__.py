"""overcast's HTTP edge: the request and response types every layer above shares (`messages`),
and listening, ASGI body reading with its limit, and response writing (`serving`)."""

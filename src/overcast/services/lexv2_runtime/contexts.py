"""Lex V2's input and output contexts
(https://docs.aws.amazon.com/lexv2/latest/dg/context-mgmt-active-context.html): an intent's
`outputContexts` become active when it is fulfilled, each for `turnsToLive` turns and
`timeToLiveInSeconds` seconds, whichever ends first; an intent with `inputContexts` is recognized
only while all of them are active. The session state's `activeContexts` carries them between turns
(with the time each expires, kept privately as `_expiresAt`)."""

from __future__ import annotations

from typing import Any


def live(state: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """The contexts still active at the start of a turn (turns and time left)."""
    out = []
    for context in state.get("activeContexts") or []:
        ttl = dict(context.get("timeToLive") or {})
        turns = int(ttl.get("turnsToLive", 1))
        if turns <= 0 or float(context.get("_expiresAt", now + 1)) <= now:
            continue
        out.append({**context, "timeToLive": {**ttl, "turnsToLive": turns}})
    return out


def after_turn(contexts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A turn used one of each context's turns; those with none left end."""
    out = []
    for context in contexts:
        ttl = dict(context["timeToLive"])
        ttl["turnsToLive"] = int(ttl.get("turnsToLive", 1)) - 1
        if ttl["turnsToLive"] > 0:
            out.append({**context, "timeToLive": ttl})
    return out


def names(contexts: list[dict[str, Any]]) -> set[str]:
    return {c["name"] for c in contexts}


def admits(intent: dict[str, Any], active: set[str]) -> bool:
    """An intent is recognized only while all its input contexts are active."""
    return all(c.get("name") in active for c in intent.get("inputContexts") or [])


def activate(contexts: list[dict[str, Any]], intent: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """The fulfilled intent's output contexts made active (replacing any of the same name)."""
    new = []
    for spec in intent.get("outputContexts") or []:
        seconds, turns = int(spec.get("timeToLiveInSeconds", 86400)), int(spec.get("turnsToLive", 20))
        new.append({"name": spec["name"], "contextAttributes": {},
                    "timeToLive": {"timeToLiveInSeconds": seconds, "turnsToLive": turns},
                    "_expiresAt": now + seconds})
    fresh = names(new)
    return [c for c in contexts if c["name"] not in fresh] + new

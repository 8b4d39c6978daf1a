"""overcast's deterministic utterance matcher, shared by the Lex V2 runtime and local Alexa skills.

It stands in for Lex's (and Alexa's) machine-learned natural language understanding, which cannot
be reproduced; it is deliberately simple and predictable:

- Text is compared case-insensitively and without punctuation (`"Book a hotel!"` = `"book a hotel"`).
- A sample utterance is a template: words, and slot references `{SlotName}`. An utterance matches a
  template when the words are equal and each slot reference covers one or more words that the
  slot's type accepts (see `resolve`). Of several matching templates, the one with the most literal
  words wins; on a tie, the intent defined first.
- No match is the fallback intent (`AMAZON.FallbackIntent`), with confidence 0.
- A match has confidence 1.0 (an exact match of every literal word).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

BUILT_IN_SLOT_TYPES = frozenset({
    "AMAZON.Number", "AMAZON.Date", "AMAZON.Time", "AMAZON.FirstName", "AMAZON.LastName", "AMAZON.Person",
    "AMAZON.City", "AMAZON.Country", "AMAZON.AlphaNumeric", "AMAZON.FreeFormInput", "AMAZON.EmailAddress",
    "AMAZON.PhoneNumber", "AMAZON.State", "AMAZON.StreetName", "AMAZON.Confirmation", "AMAZON.Duration",
    "AMAZON.Percentage", "AMAZON.UKPostalCode", "AMAZON.AirportCode",
    # Alexa's names of the same kinds
    "AMAZON.NUMBER", "AMAZON.DATE", "AMAZON.TIME", "AMAZON.US_FIRST_NAME", "AMAZON.US_CITY",
    "AMAZON.SearchQuery",
})

_PUNCTUATION = re.compile(r"[^\w\s{}@.:/-]|(?<!\w)[.:/-]|[.:/-](?!\w)")
_SLOT = re.compile(r"\{([A-Za-z0-9_.-]+)\}")

_UNITS = {w: n for n, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS = {w: 10 * (n + 2) for n, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_YES = {"yes", "yeah", "yep", "sure", "ok", "okay", "correct", "yes please", "right", "confirm"}
_NO = {"no", "nope", "nah", "no thanks", "cancel", "wrong"}


def normalize(text: str) -> str:
    """Lower case, punctuation dropped (inside-word dots, colons, slashes and dashes kept: emails,
    times, dates), spaces collapsed."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


def confirmation(text: str) -> str | None:
    """"Confirmed", "Denied" or None for an answer to a confirmation prompt."""
    said = normalize(text)
    return "Confirmed" if said in _YES else "Denied" if said in _NO else None


def _number(words: str) -> str | None:
    text = words.replace(",", "")
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text
    total, current = 0, 0
    for word in text.replace("-", " ").split():
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and current:
            current *= 100
        elif word == "thousand" and current:
            total, current = total + current * 1000, 0
        elif word != "and":
            return None
    return str(total + current) if text.strip() else None


def _date(words: str, today: dt.date) -> str | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", words):
        try:
            return dt.date.fromisoformat(words).isoformat()
        except ValueError:
            return None
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2, "the day after tomorrow": 2}
    if words in relative:
        return (today + dt.timedelta(days=relative[words])).isoformat()
    day = words.removeprefix("next ").removeprefix("on ")
    if day in _WEEKDAYS:  # the next such day after today
        ahead = (_WEEKDAYS.index(day) - today.weekday() - 1) % 7 + 1
        return (today + dt.timedelta(days=ahead)).isoformat()
    match = re.fullmatch(r"(?:(\w+) (\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})(?:st|nd|rd|th)? (?:of )?(\w+))(?: (\d{4}))?",
                         words)
    if match:
        month_word = match.group(1) or match.group(4)
        day_text = match.group(2) or match.group(3)
        if month_word in _MONTHS:
            year = int(match.group(5)) if match.group(5) else today.year
            try:
                date = dt.date(year, _MONTHS.index(month_word) + 1, int(day_text))
            except ValueError:
                return None
            if not match.group(5) and date < today:  # a date without a year is the next one
                date = date.replace(year=year + 1)
            return date.isoformat()
    return None


def _builtin(type_id: str, words: str, original: str, today: dt.date) -> str | None:
    """The interpreted value of `words` for a built-in slot type, or None when it does not fit."""
    kind = type_id.upper().removeprefix("AMAZON.")
    if kind in ("NUMBER", "PERCENTAGE"):
        return _number(words)
    if kind == "DATE":
        return _date(words, today)
    if kind == "TIME":
        match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))? ?(am|pm)?", words)
        if not match:
            return None
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "pm" else 0) if match.group(3) else int(
            match.group(1))
        return f"{hour:02d}:{int(match.group(2) or 0):02d}" if hour < 24 else None
    if kind == "CONFIRMATION":
        found = confirmation(words)
        return {"Confirmed": "Yes", "Denied": "No"}.get(found or "")
    if kind in ("FIRSTNAME", "LASTNAME", "US_FIRST_NAME"):
        return original.title() if len(words.split()) == 1 and words.replace("'", "").isalpha() else None
    if kind in ("PERSON", "CITY", "US_CITY", "COUNTRY", "STATE", "STREETNAME"):
        return original.title() if all(w.replace("'", "").isalpha() for w in words.split()) else None
    if kind == "ALPHANUMERIC":
        compact = words.replace(" ", "")
        return compact.upper() if compact.isalnum() else None
    if kind == "EMAILADDRESS":
        return words if re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", words) else None
    if kind == "PHONENUMBER":
        digits = re.sub(r"[\s-]", "", words)
        return digits if re.fullmatch(r"\+?\d{7,15}", digits) else None
    return original  # free-form types take the words as said


@dataclass
class SlotType:
    """A custom slot type: values with synonyms, and how values outside them are taken
    (`ORIGINAL_VALUE`: any value, as said; `TOP_RESOLUTION`: only the listed values)."""

    values: list[tuple[str, list[str]]] = field(default_factory=list)
    strategy: str = "OriginalValue"

    @classmethod
    def from_lex(cls, doc: dict[str, Any]) -> SlotType:
        values = [((v.get("sampleValue") or {}).get("value", ""), [s.get("value", "") for s in v.get("synonyms") or []])
                  for v in doc.get("slotTypeValues") or []]
        strategy = ((doc.get("valueSelectionSetting") or {}).get("resolutionStrategy")) or "OriginalValue"
        return cls(values, strategy)


@dataclass
class Resolution:
    original: str
    interpreted: str
    resolved: list[str]


def resolve(type_id: str | None, custom: SlotType | None, said: str, today: dt.date) -> Resolution | None:
    """The value `said` (normalized words) takes for a slot of `type_id`, or None when the type
    refuses it. Custom types resolve synonyms to their value; an unlisted value is kept as said
    under ORIGINAL_VALUE and refused under TOP_RESOLUTION."""
    if not said:
        return None
    if custom is not None:
        for value, synonyms in custom.values:
            if said in {normalize(value), *(normalize(s) for s in synonyms)}:
                return Resolution(said, value, [value])
        if custom.strategy.upper() in ("TOPRESOLUTION", "TOP_RESOLUTION"):
            return None
        return Resolution(said, said, [])
    builtin = _builtin(type_id or "AMAZON.FreeFormInput", said, said, today)
    return Resolution(said, builtin, [builtin]) if builtin is not None else None


@dataclass
class Intent:
    """What the matcher knows of an intent: its name, sample utterances, and its slots' types
    (slot name → (type id, custom slot type or None))."""

    name: str
    utterances: list[str]
    slots: dict[str, tuple[str | None, SlotType | None]]


@dataclass
class Match:
    intent: str | None
    slots: dict[str, Resolution]
    score: float


def _template(utterance: str) -> tuple[re.Pattern[str], list[str], int]:
    parts, names, literal = [], [], 0
    for n, piece in enumerate(_SLOT.split(utterance)):  # literal text and slot names alternate
        if n % 2:
            names.append(piece)
            parts.append(f"(?P<s{len(names) - 1}>.+?)")
            continue
        for token in normalize(piece).split():
            literal += 1
            parts.append(re.escape(token))
    return re.compile("^" + " ".join(parts) + "$"), names, literal


def match(intents: list[Intent], text: str, today: dt.date) -> Match:
    """The best intent for `text`, with the slot values its template captured; `intent` is None
    when nothing matches (the fallback)."""
    said = normalize(text)
    best: tuple[int, int, Match] | None = None
    for order, intent in enumerate(intents):
        for utterance in intent.utterances:
            pattern, names, literal = _template(utterance)
            found = pattern.match(said)
            if not found:
                continue
            slots: dict[str, Resolution] = {}
            for n, name in enumerate(names):
                type_id, custom = intent.slots.get(name, (None, None))
                value = resolve(type_id, custom, found.group(f"s{n}"), today)
                if value is None:
                    break
                slots[name] = value
            else:
                rank = (literal + len(slots), -order)
                if best is None or rank > best[:2]:
                    best = (rank[0], rank[1], Match(intent.name, slots, 1.0))
    return best[2] if best else Match(None, {}, 0.0)

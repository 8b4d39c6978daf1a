"""overcast's deterministic utterance matcher (Lex V2 runtime and local Alexa skills)."""

from __future__ import annotations

import datetime as dt

from overcast.services.lexv2_models.matcher import Intent, SlotType, confirmation, match, normalize, resolve

TODAY = dt.date(2026, 12, 7)  # a Monday
ROOMS = SlotType([("king", ["big", "large"]), ("queen", [])], "TopResolution")
INTENTS = [
    Intent("BookHotel", ["book a {RoomType} room in {City}", "book a hotel", "book a hotel for {Nights} nights"],
           {"RoomType": ("CUSTOM1", ROOMS), "City": ("AMAZON.City", None), "Nights": ("AMAZON.Number", None)}),
    Intent("CheckIn", ["check in on {Day}"], {"Day": ("AMAZON.Date", None)}),
    Intent("Greet", ["hello", "hello there"], {}),
]


def test_case_and_punctuation_do_not_matter():
    assert normalize("  Book a HOTEL, please!  ") == "book a hotel please"
    assert match(INTENTS, "BOOK a hotel!!", TODAY).intent == "BookHotel"


def test_slots_resolve_through_their_types():
    found = match(INTENTS, "Book a large room in New York.", TODAY)
    assert found.intent == "BookHotel" and found.score == 1.0
    assert (found.slots["RoomType"].interpreted, found.slots["RoomType"].original) == ("king", "large")
    assert found.slots["City"].interpreted == "New York"
    assert match(INTENTS, "book a hotel for twenty one nights", TODAY).slots["Nights"].interpreted == "21"
    assert match(INTENTS, "check in on tomorrow", TODAY).slots["Day"].interpreted == "2026-12-08"
    assert match(INTENTS, "check in on friday", TODAY).slots["Day"].interpreted == "2026-12-11"
    assert match(INTENTS, "check in on march 3rd", TODAY).slots["Day"].interpreted == "2027-03-03"


def test_a_value_the_type_refuses_is_no_match():
    assert match(INTENTS, "book a tiny room in Paris", TODAY).intent is None  # TopResolution: not listed
    assert match(INTENTS, "book a hotel for many nights", TODAY).intent is None
    kept = resolve("X", SlotType([("king", [])], "OriginalValue"), "tiny", TODAY)
    assert kept is not None and kept.interpreted == "tiny"


def test_no_match_is_the_fallback():
    found = match(INTENTS, "what's the weather", TODAY)
    assert (found.intent, found.slots, found.score) == (None, {}, 0.0)


def test_the_most_literal_template_wins():
    assert match(INTENTS, "hello there", TODAY).intent == "Greet"


def test_confirmation_answers():
    assert confirmation("Yes!") == "Confirmed" and confirmation("nope") == "Denied" and confirmation("maybe") is None

"""Value matchers: one small class per operator of the EventBridge pattern language.

Each takes a leaf value of the event as `json.loads` gives it (str, int, float, bool or None) and
says whether it matches. Rules emulated (event-ruler, which EventBridge runs):

* strings match strings only: prefix/suffix/equals-ignore-case/wildcard/cidr never match numbers;
* a number in a pattern matches the same number written differently (``300`` matches ``300.0``),
  compared at event-ruler's precision (six decimals, values within ±5.0e9), and also by value
  outside that range (account ids);
* anything-but matches every present value that is not excluded, whatever its type (``null``
  included); an absent field never matches it;
* a pattern string that is an IP address matches that address however the event writes it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

FIVE_BILLION = 5e9
NUMBER_RANGE_ERROR = "Value must be between -5.0E9 and 5.0E9, inclusive"

_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def is_number(value: Any) -> bool:
    return value.__class__ in (int, float)


def comparable(value: float) -> int | None:
    """event-ruler's ComparableNumber: six decimals of a value within ±5.0e9, as an integer."""
    if not -FIVE_BILLION <= value <= FIVE_BILLION:
        return None
    return int(1e6 * (FIVE_BILLION + value))


def comparable_or_fail(text: str) -> int:
    """The comparable form of a pattern number, or ValueError with event-ruler's message."""
    result = comparable(float(text))
    if result is None:
        raise ValueError(NUMBER_RANGE_ERROR)
    return result


def number_value(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def ip_value(text: str) -> tuple[int, int] | None:
    """(version, integer) of an IPv4/IPv6 literal, None for anything else."""
    if _IPV4.fullmatch(text):
        parts = [int(p) for p in text.split(".")]
        if any(p > 255 for p in parts):
            return None
        return 4, (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    if _IPV6.fullmatch(text):
        try:
            return 6, int(ipaddress.IPv6Address(text))
        except ValueError:
            return None
    return None


def looks_like_ip(text: str) -> bool:
    return bool(_IPV4.fullmatch(text) or _IPV6.fullmatch(text))


class Matcher:
    """One condition on a leaf value."""

    __slots__ = ()

    def matches(self, value: Any) -> bool:
        raise NotImplementedError


class ExactString(Matcher):
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and value == self.value


class ExactLiteral(Matcher):
    """`true`, `false` or `null` in a pattern."""

    __slots__ = ("value",)

    def __init__(self, value: bool | None) -> None:
        self.value = value

    def matches(self, value: Any) -> bool:
        return value is self.value


class ExactNumber(Matcher):
    __slots__ = ("comparable", "value")

    def __init__(self, text: str) -> None:
        self.value = number_value(text)
        self.comparable = comparable(float(text))

    def matches(self, value: Any) -> bool:
        if not is_number(value):
            return False
        if self.comparable is not None and comparable(value) == self.comparable:
            return True
        return bool(value == self.value)


class ExactIp(Matcher):
    """A pattern string that is an IP address (event-ruler turns it into a one-address range)."""

    __slots__ = ("ip", "text")

    def __init__(self, text: str, ip: tuple[int, int]) -> None:
        self.text = text
        self.ip = ip

    def matches(self, value: Any) -> bool:
        if value.__class__ is not str:
            return False
        return value == self.text or ip_value(value) == self.ip


class Prefix(Matcher):
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and value.startswith(self.value)


class PrefixIgnoreCase(Prefix):
    def __init__(self, value: str) -> None:
        super().__init__(value.lower())

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and value.lower().startswith(self.value)


class Suffix(Matcher):
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and value.endswith(self.value)


class SuffixIgnoreCase(Suffix):
    def __init__(self, value: str) -> None:
        super().__init__(value.lower())

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and value.lower().endswith(self.value)


class EqualsIgnoreCase(Matcher):
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value.lower()

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and value.lower() == self.value


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """`*` is any run of characters, `\\*` a literal asterisk, `\\\\` a literal backslash (the
    pattern was validated by the compiler)."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "*":
            parts.append(".*")
        elif ch == "\\":
            index += 1
            parts.append(re.escape(pattern[index]))
        else:
            parts.append(re.escape(ch))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def wildcard_error(pattern: str) -> str | None:
    """event-ruler's WildcardParser check; positions count UTF-8 bytes after a leading quote."""
    data = ('"' + pattern + '"').encode()
    index = 0
    while index < len(data):
        byte = data[index]
        if byte == 0x2A and index + 1 < len(data) and data[index + 1] == 0x2A:
            return f"Consecutive wildcard characters at pos {index}"
        if byte == 0x5C:
            if index + 1 < len(data) and data[index + 1] in (0x2A, 0x5C):
                index += 2
                continue
            return f"Invalid escape character at pos {index}"
        index += 1
    return None


class Wildcard(Matcher):
    __slots__ = ("regex",)

    def __init__(self, pattern: str) -> None:
        self.regex = wildcard_regex(pattern)

    def matches(self, value: Any) -> bool:
        return value.__class__ is str and self.regex.fullmatch(value) is not None


class AnythingBut(Matcher):
    """Any present value except the listed strings (or, with `numeric`, the listed numbers)."""

    __slots__ = ("numbers", "strings")

    def __init__(self, strings: Iterable[str] = (), numbers: Iterable[int] = ()) -> None:
        self.strings = frozenset(strings)
        self.numbers = frozenset(numbers)

    def matches(self, value: Any) -> bool:
        if value.__class__ is str:
            return value not in self.strings
        if self.numbers and is_number(value):
            return comparable(value) not in self.numbers
        return True


class AnythingButOf(Matcher):
    """Any present value that is not a string matching one of `inner` (anything-but with prefix,
    suffix, equals-ignore-case or wildcard)."""

    __slots__ = ("inner",)

    def __init__(self, inner: list[Matcher]) -> None:
        self.inner = inner

    def matches(self, value: Any) -> bool:
        if value.__class__ is not str:
            return True
        return not any(m.matches(value) for m in self.inner)


class Numeric(Matcher):
    """A range over comparable numbers; None bounds are open ends."""

    __slots__ = ("high", "high_open", "low", "low_open")

    def __init__(self, low: int | None, low_open: bool, high: int | None, high_open: bool) -> None:
        self.low, self.low_open, self.high, self.high_open = low, low_open, high, high_open

    def matches(self, value: Any) -> bool:
        if not is_number(value):
            return False
        number = comparable(value)
        if number is None:
            return False
        if self.low is not None and (number < self.low or (self.low_open and number == self.low)):
            return False
        return self.high is None or not (number > self.high or (self.high_open and number == self.high))


class Cidr(Matcher):
    __slots__ = ("high", "low", "version")

    def __init__(self, version: int, low: int, high: int) -> None:
        self.version, self.low, self.high = version, low, high

    def matches(self, value: Any) -> bool:
        if value.__class__ is not str:
            return False
        ip = ip_value(value)
        return ip is not None and ip[0] == self.version and self.low <= ip[1] <= self.high


def cidr(text: str) -> Cidr:
    """event-ruler's CIDR.cidr: ValueError with its messages. The range starts at the given
    address (not the network's first), as event-ruler's does."""
    parts = [p for p in text.split("/")]
    while parts and parts[-1] == "":
        parts.pop()  # Java's String.split drops trailing empty strings
    if len(parts) != 2:
        raise ValueError("Malformed CIDR, one '/' required")
    if not re.fullmatch(r"[+-]?[0-9]+", parts[1]):
        raise ValueError("Malformed CIDR, mask bits must be an integer")
    bits = int(parts[1])
    if bits < 0:
        raise ValueError("Malformed CIDR, mask bits must not be negative")
    if not looks_like_ip(parts[0]):
        raise ValueError(f"Nonstandard IP address: {parts[0]}")
    ip = ip_value(parts[0])
    if ip is None:
        raise ValueError(f"Invalid IP address: {parts[0]}")
    version, address = ip
    width = 32 if version == 4 else 128
    if bits >= width:
        raise ValueError(f"IPv{version} mask bits must be < {width}")
    host = (1 << (width - bits)) - 1
    return Cidr(version, address, address | host)

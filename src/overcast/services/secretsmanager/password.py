"""GetRandomPassword (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html):
letters, digits and punctuation by default, 32 characters, at least one of each included type
(upper case, lower case, digit, punctuation: IncludeSpace adds the space without requiring it);
drawn with the `secrets` module (a cryptographically secure source)."""

from __future__ import annotations

import secrets
import string

from overcast.services.secretsmanager.errors import InvalidParameterException

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
DEFAULT_LENGTH = 32


def generate(length: int | None = None, exclude_characters: str | None = None, exclude_numbers: bool = False,
             exclude_punctuation: bool = False, exclude_uppercase: bool = False, exclude_lowercase: bool = False,
             include_space: bool = False, require_each_included_type: bool | None = None) -> str:
    size = DEFAULT_LENGTH if length is None else length
    excluded = set(exclude_characters or "")
    groups = []
    for skip, chars in ((exclude_lowercase, string.ascii_lowercase), (exclude_uppercase, string.ascii_uppercase),
                        (exclude_numbers, string.digits), (exclude_punctuation, PUNCTUATION)):
        kept = "".join(c for c in chars if c not in excluded)
        if not skip and kept:
            groups.append(kept)
    space = " " if include_space and " " not in excluded else ""
    if not groups and not space:
        raise InvalidParameterException("The password can't be generated because every character type is excluded.")
    require = True if require_each_included_type is None else require_each_included_type
    if require and size < len(groups):
        raise InvalidParameterException("Password length is too short based on the required types.")
    alphabet = "".join(groups) + space  # the space is allowed, not required (it is no "type")
    picked: list[str] = [secrets.choice(group) for group in groups] if require else []
    picked += [secrets.choice(alphabet) for _ in range(size - len(picked))]
    secrets.SystemRandom().shuffle(picked)
    return "".join(picked)

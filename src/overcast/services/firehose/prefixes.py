"""S3 object names as Firehose writes them
([custom prefixes](https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html),
[object name format](https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html#s3-object-name)).

- A prefix may hold `!{timestamp:<Java DateTimeFormatter pattern>}` (the arrival time of the
  oldest record in the object, UTC), `!{firehose:random-string}` (11 random characters) and, in
  the error output prefix only, `!{firehose:error-output-type}`.
- A prefix without a timestamp expression gets the default `yyyy/MM/dd/HH/` appended; no prefix at
  all is just that.
- Failed records go under the error output prefix, or `processing-failed/yyyy/MM/dd/HH/` without one.
- The object's name is `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>` plus the file extension.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
import uuid

from overcast.services.firehose.errors import InvalidArgument

EXPRESSION = re.compile(r"!\{([^}:]*):([^}]*)\}")
DEFAULT_TIME = "yyyy/MM/dd/HH/"
FIREHOSE_VALUES = ("random-string", "error-output-type")
NAMESPACES = ("timestamp", "firehose", "partitionKeyFromQuery", "partitionKeyFromLambda")
#: Java DateTimeFormatter letters overcast evaluates, longest first
PATTERN_TOKENS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
PATTERN = re.compile(r"'[^']*'|yyyy|yy|MM|dd|HH|mm|ss|[A-Za-z]|.", re.S)
EXTENSIONS = {"GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".snappy"}


def check_prefixes(prefix: str | None, error_prefix: str | None) -> None:
    """AWS's rules for Prefix and ErrorOutputPrefix (InvalidArgumentException)."""
    for value, name in ((prefix, "Prefix"), (error_prefix, "ErrorOutputPrefix")):
        if value and value.count("!{") != len(EXPRESSION.findall(value)):
            raise InvalidArgument(f"{name} contains an invalid expression: {value}")
        for namespace, inner in EXPRESSION.findall(value or ""):
            _check_expression(name, namespace, inner)
    if prefix and "!{firehose:error-output-type}" in prefix:
        raise InvalidArgument("The expression !{firehose:error-output-type} is not allowed in Prefix.")
    if prefix and EXPRESSION.search(prefix) and not error_prefix:
        raise InvalidArgument("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")


def _check_expression(name: str, namespace: str, inner: str) -> None:
    if namespace not in NAMESPACES:
        raise InvalidArgument(f"The expression namespace '{namespace}' in {name} is not supported.")
    if namespace == "firehose" and inner not in FIREHOSE_VALUES:
        raise InvalidArgument(f"The expression !{{firehose:{inner}}} in {name} is not supported.")
    if namespace == "timestamp":
        for token in PATTERN.findall(inner):
            if token[0].isalpha() and token not in PATTERN_TOKENS:
                raise InvalidArgument(f"The timestamp pattern '{inner}' in {name} is not valid.")


def format_time(pattern: str, moment: dt.datetime) -> str:
    """A Java DateTimeFormatter pattern (the letters of PATTERN_TOKENS, quoted literals) applied."""
    out = []
    for token in PATTERN.findall(pattern):
        if token.startswith("'"):
            out.append(token[1:-1] if len(token) > 2 else "'")
        else:
            out.append(moment.strftime(PATTERN_TOKENS[token]) if token in PATTERN_TOKENS else token)
    return "".join(out)


def evaluate(prefix: str | None, moment: dt.datetime, error_type: str | None = None,
             keys: dict[str, dict[str, str]] | None = None) -> str:
    """The evaluated prefix, with the default time folders when it has no timestamp (or partition
    key) expression. `keys`: dynamic partitioning's {"query": {...}, "lambda": {...}} keys."""
    text = prefix or ""

    def one(match: re.Match[str]) -> str:
        namespace, inner = match.group(1), match.group(2)
        if namespace == "timestamp":
            return format_time(inner, moment)
        if inner == "random-string":
            return "".join(random.choices(string.ascii_letters + string.digits, k=11))
        if inner == "error-output-type":
            return error_type or ""
        if namespace == "partitionKeyFromQuery":
            return (keys or {}).get("query", {}).get(inner, "")
        if namespace == "partitionKeyFromLambda":
            return (keys or {}).get("lambda", {}).get(inner, "")
        return ""

    has_time = any(ns != "firehose" for ns, _ in EXPRESSION.findall(text))
    evaluated = EXPRESSION.sub(one, text)
    return evaluated if has_time else evaluated + format_time(DEFAULT_TIME, moment)


def object_key(prefix: str | None, stream: str, version: int, moment: dt.datetime, extension: str = "",
               error_type: str | None = None, keys: dict[str, dict[str, str]] | None = None) -> str:
    """`<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`."""
    return (f"{evaluate(prefix, moment, error_type, keys)}{stream}-{version}-{moment:%Y-%m-%d-%H-%M-%S}-"
            f"{uuid.uuid4()}{extension}")


def error_key(error_prefix: str | None, stream: str, version: int, moment: dt.datetime, error_type: str) -> str:
    """Where records that failed (`error_type`: processing-failed, http-endpoint-failed...) go."""
    prefix = error_prefix if error_prefix else f"{error_type}/"
    return object_key(prefix, stream, version, moment, error_type=error_type)

"""Lambda's runtime catalogue: every runtime identifier AWS's Lambda API knows, its language family,
and the dates of AWS's runtime deprecation table
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html): when it was deprecated, and from
when Lambda refuses to create functions with it ("Block function create") and to update them
("Block function update"). A runtime with no dates is supported. This is the one place those dates
live: CreateFunction and UpdateFunctionConfiguration check a runtime against it with today's date,
and the legacy mode (`OVERCAST_LEGACY_RUNTIMES=1`) picks from it the runtime that runs a deprecated
one.

Which families overcast executes (python, nodejs, provided) is `overcast.execution.runtimes`'s to say;
java, dotnet, ruby and go functions are created as AWS creates them and fail at Invoke with
InvalidRuntimeException.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Runtime:
    name: str
    family: str
    deprecated: dt.date | None = None
    block_create: dt.date | None = None
    block_update: dt.date | None = None

    @property
    def version(self) -> tuple[int, ...]:
        """Numbers in the identifier, to order a family's runtimes (`nodejs` alone is Node.js 0.10)."""
        if self.name == "nodejs":
            return (0, 10)
        return tuple(int(n) for n in re.findall(r"\d+", self.name))

    def is_deprecated(self, today: dt.date) -> bool:
        return self.deprecated is not None and today >= self.deprecated

    def blocks_create(self, today: dt.date) -> bool:
        return self.block_create is not None and today >= self.block_create

    def blocks_update(self, today: dt.date) -> bool:
        return self.block_update is not None and today >= self.block_update


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _r(name: str, family: str, deprecated: str | None = None, block_create: str | None = None,
       block_update: str | None = None) -> Runtime:
    return Runtime(name, family, _d(deprecated) if deprecated else None, _d(block_create) if block_create else None,
                   _d(block_update) if block_update else None)


#: AWS's table: identifier, family, deprecation date, block function create, block function update.
CATALOGUE: dict[str, Runtime] = {r.name: r for r in [
    # Node.js
    _r("nodejs", "nodejs", "2016-10-31", "2016-10-31", "2016-10-31"),
    _r("nodejs4.3", "nodejs", "2018-04-30", "2018-12-15", "2019-04-30"),
    _r("nodejs4.3-edge", "nodejs", "2018-04-30", "2018-12-15", "2019-04-30"),
    _r("nodejs6.10", "nodejs", "2019-04-30", "2019-04-30", "2019-08-12"),
    _r("nodejs8.10", "nodejs", "2019-12-31", "2020-01-06", "2020-02-03"),
    _r("nodejs10.x", "nodejs", "2021-07-30", "2021-07-30", "2022-02-14"),
    _r("nodejs12.x", "nodejs", "2023-03-31", "2023-03-31", "2023-04-30"),
    _r("nodejs14.x", "nodejs", "2023-12-04", "2024-01-09", "2024-02-08"),
    _r("nodejs16.x", "nodejs", "2024-06-12", "2026-02-28", "2026-03-31"),
    _r("nodejs18.x", "nodejs", "2025-09-01", "2026-02-03", "2026-03-09"),
    _r("nodejs20.x", "nodejs", "2026-04-30", "2026-06-01", "2026-07-01"),
    _r("nodejs22.x", "nodejs", "2027-04-30", "2027-06-01", "2027-07-01"),
    _r("nodejs24.x", "nodejs", "2028-04-30", "2028-06-01", "2028-07-01"),
    _r("nodejs26.x", "nodejs"),
    # Python
    _r("python2.7", "python", "2021-07-15", "2021-07-15", "2022-05-30"),
    _r("python3.6", "python", "2022-07-18", "2022-07-18", "2022-08-29"),
    _r("python3.7", "python", "2023-12-04", "2024-01-09", "2024-02-08"),
    _r("python3.8", "python", "2024-10-14", "2026-02-28", "2026-03-31"),
    _r("python3.9", "python", "2025-12-15", "2026-06-01", "2026-07-01"),
    _r("python3.10", "python", "2026-06-30", "2026-07-31", "2026-08-31"),
    _r("python3.11", "python", "2026-06-30", "2026-07-31", "2026-08-31"),
    _r("python3.12", "python", "2028-10-31", "2028-11-30", "2029-01-10"),
    _r("python3.13", "python", "2029-06-30", "2029-07-31", "2029-08-31"),
    _r("python3.14", "python", "2029-06-30", "2029-07-31", "2029-08-31"),
    _r("python3.15", "python"),
    # OS-only runtimes (custom runtimes, Go, Rust...)
    _r("provided", "provided", "2024-01-08", "2024-02-08", "2024-03-12"),
    _r("provided.al2", "provided", "2026-06-30", "2026-07-31", "2026-08-31"),
    _r("provided.al2023", "provided", "2029-06-30", "2029-07-31", "2029-08-31"),
    _r("go1.x", "go", "2024-01-08", "2024-02-08", "2024-03-12"),
    # Java
    _r("java8", "java", "2024-01-08", "2024-02-08", "2024-03-12"),
    _r("java8.al2", "java", "2026-06-30", "2026-07-31", "2026-08-31"),
    _r("java8.al2023", "java"),
    _r("java11", "java", "2026-06-30", "2026-07-31", "2026-08-31"),
    _r("java11.al2023", "java"),
    _r("java17", "java", "2026-06-30", "2026-07-31", "2026-08-31"),
    _r("java17.al2023", "java"),
    _r("java21", "java", "2029-06-30", "2029-07-31", "2029-08-31"),
    _r("java25", "java", "2029-06-30", "2029-07-31", "2029-08-31"),
    # .NET
    _r("dotnetcore1.0", "dotnet", "2019-06-27", "2019-06-27", "2019-07-31"),
    _r("dotnetcore2.0", "dotnet", "2019-04-30", "2019-04-30", "2019-05-30"),
    _r("dotnetcore2.1", "dotnet", "2022-01-05", "2022-01-05", "2022-04-13"),
    _r("dotnetcore3.1", "dotnet", "2023-04-03", "2023-04-03", "2023-05-03"),
    _r("dotnet6", "dotnet", "2024-12-20", "2026-02-28", "2026-03-31"),
    _r("dotnet8", "dotnet", "2026-11-10", "2026-12-10", "2027-01-11"),
    _r("dotnet10", "dotnet"),
    # Ruby
    _r("ruby2.5", "ruby", "2021-07-30", "2021-07-30", "2022-03-31"),
    _r("ruby2.7", "ruby", "2023-12-07", "2024-02-08", "2024-03-12"),
    _r("ruby3.2", "ruby", "2026-03-31", "2026-06-01", "2026-07-01"),
    _r("ruby3.3", "ruby", "2027-03-31", "2027-04-30", "2027-05-31"),
    _r("ruby3.4", "ruby", "2028-03-31", "2028-04-30", "2028-05-31"),
    _r("ruby4.0", "ruby"),
    # in the API's enum, with no runtime in AWS's table
    _r("custom", "custom"),
]}

#: Where a family's functions go when their own family has no supported runtime left (Go runs on the
#: OS-only runtimes since go1.x was retired).
_SUCCESSOR_FAMILY = {"go": "provided"}


def lookup(name: str | None) -> Runtime | None:
    return CATALOGUE.get(name or "")


@lru_cache(maxsize=1)
def api_enum() -> tuple[str, ...]:
    """The Runtime enum of Lambda's API model, in the model's order (what AWS's validation message lists)."""
    try:
        import botocore.session

        shape = botocore.session.get_session().get_service_model("lambda").shape_for("Runtime")
        return tuple(shape.enum)
    except Exception:  # no model at hand: the catalogue is the same set
        return tuple(CATALOGUE)


def is_known(name: str) -> bool:
    return name in CATALOGUE or name in api_enum()


def family(name: str | None) -> str | None:
    runtime = lookup(name)
    return runtime.family if runtime else None


def successor(name: str, today: dt.date) -> str | None:
    """The oldest runtime of the same family, no older than `name`, that AWS still lets you create today:
    the one a deprecated runtime runs on in legacy mode."""
    runtime = lookup(name)
    if runtime is None:
        return None
    fam = _SUCCESSOR_FAMILY.get(runtime.family, runtime.family)
    same = runtime.family == fam
    candidates = sorted((r for r in CATALOGUE.values()
                         if r.family == fam and not r.blocks_create(today) and (not same or r.version >= runtime.version)),
                        key=lambda r: r.version)
    return candidates[0].name if candidates else None


def legacy_note(name: str | None, today: dt.date) -> str | None:
    """The line a deprecated runtime's environment writes to the function's log when it starts."""
    runtime = lookup(name)
    if runtime is None or not runtime.is_deprecated(today):
        return None
    target = successor(runtime.name, today) or runtime.name
    return f"overcast: {runtime.name} is deprecated on AWS; running it on {target}"


def today_utc(epoch_seconds: float) -> dt.date:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).date()


def with_legacy_note(name: str | None, now: float, init_logs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A new environment's init log lines, led by the legacy note when its runtime is deprecated."""
    note = legacy_note(name, today_utc(now))
    if note is None:
        return init_logs
    return [(min([ts for ts, _ in init_logs] + [int(now * 1000)]), note), *init_logs]

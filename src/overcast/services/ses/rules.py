"""Receipt rule sets, their rules, receipt filters and the active rule set
(https://docs.aws.amazon.com/ses/latest/dg/receiving-email-receipt-rules-console-walkthrough.html).
A rule set is one document with its rules in order."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from overcast.platform import Platform
from overcast.services.ses.errors import SesError, exists, invalid, rule_missing, rule_set_missing
from overcast.services.ses.store import FILTER, RULE_SET, SesStore

_NAME = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?")


def check_name(value: str, field: str) -> None:
    """Rule set and rule names (AWS: letters, digits, `_`, `.`, `-`, starting and ending with a
    letter or digit, at most 64 characters), with SES's ValidationError wording."""
    if len(value) > 64:
        raise invalid(f"Not a valid {field}: {value}", code="ValidationError")
    if not _NAME.fullmatch(value):
        raise invalid(f"Value at '{field}' failed to satisfy constraint: Member must satisfy regular expression "
                      "pattern: ^[a-zA-Z0-9_.-]+$", code="ValidationError")


def _store(platform: Platform) -> SesStore:
    return platform.component(SesStore)


def get(platform: Platform, account: str, region: str, name: str) -> dict[str, Any]:
    doc = _store(platform).docs.get(account, region, RULE_SET, name)
    if doc is None:
        raise rule_set_missing(name)
    return doc


def put(platform: Platform, account: str, region: str, doc: dict[str, Any]) -> None:
    _store(platform).docs.put(account, region, RULE_SET, doc["Name"], doc)


def create(platform: Platform, account: str, region: str, name: str, rules: list[dict[str, Any]] | None = None) -> None:
    if _store(platform).docs.get(account, region, RULE_SET, name) is not None:
        raise exists("AlreadyExists", f"Rule set already exists: {name}")
    put(platform, account, region, {"Name": name, "CreatedTimestamp": platform.clock.now(), "Rules": rules or []})


def delete(platform: Platform, account: str, region: str, name: str) -> None:
    if active_name(platform, account, region) == name:
        raise SesError(f"Cannot delete active rule set: {name}", code="CannotDelete")
    _store(platform).docs.delete(account, region, RULE_SET, name)


def listed(platform: Platform, account: str, region: str) -> list[dict[str, Any]]:
    return _store(platform).docs.list(account, region, RULE_SET)


def active_name(platform: Platform, account: str, region: str) -> str | None:
    return _store(platform).settings(account, region).get("ActiveRuleSet")


def set_active(platform: Platform, account: str, region: str, name: str | None) -> None:
    if name:
        get(platform, account, region, name)
    store = _store(platform)
    settings = store.settings(account, region)
    settings["ActiveRuleSet"] = name or None
    store.put_settings(account, region, settings)


def active(platform: Platform, account: str, region: str) -> dict[str, Any] | None:
    name = active_name(platform, account, region)
    return _store(platform).docs.get(account, region, RULE_SET, name) if name else None


def metadata(doc: dict[str, Any]) -> dict[str, Any]:
    return {"Name": doc["Name"], "CreatedTimestamp": doc["CreatedTimestamp"]}


def _index(doc: dict[str, Any], rule_name: str) -> int:
    for i, rule in enumerate(doc["Rules"]):
        if rule["Name"] == rule_name:
            return i
    raise rule_missing(rule_name)


def _position(doc: dict[str, Any], after: str | None) -> int:
    return _index(doc, after) + 1 if after else 0


def check_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule with AWS's defaults (Enabled false, TlsPolicy Optional, ScanEnabled false)."""
    if not rule.get("Name"):
        raise invalid("Rule name is required.")
    for action in rule.get("Actions") or []:
        lam = action.get("LambdaAction")
        if lam and lam.get("InvocationType", "Event") not in ("Event", "RequestResponse"):
            raise invalid(f"Invalid invocation type: {lam.get('InvocationType')}")
    out = {"Name": rule["Name"], "Enabled": bool(rule.get("Enabled", False)),
           "TlsPolicy": rule.get("TlsPolicy") or "Optional", "ScanEnabled": bool(rule.get("ScanEnabled", False))}
    for key in ("Recipients", "Actions"):  # left out when not given, as AWS describes such a rule
        if rule.get(key):
            out[key] = list(rule[key])
    return out


def add_rule(platform: Platform, account: str, region: str, set_name: str, rule: dict[str, Any],
             after: str | None) -> None:
    doc = get(platform, account, region, set_name)
    rule = check_rule(rule)
    if any(r["Name"] == rule["Name"] for r in doc["Rules"]):
        raise exists("AlreadyExists", f"Rule already exists: {rule['Name']}")
    doc["Rules"].insert(_position(doc, after), rule)
    put(platform, account, region, doc)


def update_rule(platform: Platform, account: str, region: str, set_name: str, rule: dict[str, Any]) -> None:
    doc = get(platform, account, region, set_name)
    rule = check_rule(rule)
    doc["Rules"][_index(doc, rule["Name"])] = rule
    put(platform, account, region, doc)


def delete_rule(platform: Platform, account: str, region: str, set_name: str, rule_name: str) -> None:
    doc = get(platform, account, region, set_name)
    doc["Rules"] = [r for r in doc["Rules"] if r["Name"] != rule_name]  # AWS: success when absent
    put(platform, account, region, doc)


def rule(platform: Platform, account: str, region: str, set_name: str, rule_name: str) -> dict[str, Any]:
    doc = get(platform, account, region, set_name)
    return dict(doc["Rules"][_index(doc, rule_name)])


def move_rule(platform: Platform, account: str, region: str, set_name: str, rule_name: str, after: str | None) -> None:
    doc = get(platform, account, region, set_name)
    moved = doc["Rules"].pop(_index(doc, rule_name))
    doc["Rules"].insert(_position(doc, after), moved)
    put(platform, account, region, doc)


def reorder(platform: Platform, account: str, region: str, set_name: str, names: list[str]) -> None:
    doc = get(platform, account, region, set_name)
    by_name = {r["Name"]: r for r in doc["Rules"]}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise rule_missing(missing[0])
    if set(names) != set(by_name):
        raise invalid("Rules in the rule set must all be specified in the new order.")
    doc["Rules"] = [by_name[n] for n in names]
    put(platform, account, region, doc)


# -- receipt filters -------------------------------------------------------------------------------

def add_filter(platform: Platform, account: str, region: str, flt: dict[str, Any]) -> None:
    docs = _store(platform).docs
    name = flt.get("Name") or ""
    if docs.get(account, region, FILTER, name) is not None:
        raise exists("AlreadyExists", f"Filter already exists: {name}")
    cidr = (flt.get("IpFilter") or {}).get("Cidr") or ""
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise invalid(f"Invalid CIDR: {cidr}") from None
    docs.put(account, region, FILTER, name, flt)


def delete_filter(platform: Platform, account: str, region: str, name: str) -> None:
    _store(platform).docs.delete(account, region, FILTER, name)  # AWS: success when absent


def filters(platform: Platform, account: str, region: str) -> list[dict[str, Any]]:
    return _store(platform).docs.list(account, region, FILTER)


def blocked(platform: Platform, account: str, region: str, source_ip: str) -> bool:
    """AWS's rule: an IP is blocked when a Block filter covers it and no Allow filter does."""
    ip = ipaddress.ip_address(source_ip)
    policies = {f["IpFilter"]["Policy"] for f in filters(platform, account, region)
                if ip in ipaddress.ip_network(f["IpFilter"]["Cidr"], strict=False)}
    return "Block" in policies and "Allow" not in policies


def recipient_matches(patterns: list[str], recipient: str) -> bool:
    """A rule's Recipients: an address, a domain (every address in it) or `.domain` (its subdomains);
    no Recipients matches every recipient of the account's verified domains."""
    if not patterns:
        return True
    recipient = recipient.lower()
    domain = recipient.rpartition("@")[2]
    for pattern in (p.lower() for p in patterns):
        if pattern in (recipient, domain) or (pattern.startswith(".") and domain.endswith(pattern)):
            return True
    return False

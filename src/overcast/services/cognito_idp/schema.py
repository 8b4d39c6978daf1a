"""A user pool's attribute schema: the standard attributes every pool has, custom ones
(`custom:` + name), and the checks sign-up and updates make (required, known, mutable).
[User pool attributes](https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html)."""

from __future__ import annotations

import functools
from typing import Any

from overcast.services.cognito_idp.errors import InvalidParameter

_STRINGS = ("name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
            "picture", "website", "email", "gender", "birthdate", "zoneinfo", "locale", "phone_number",
            "address")


def _standard() -> list[dict[str, Any]]:
    def string(name: str, mutable: bool = True, low: str = "0") -> dict[str, Any]:
        high = "10" if name == "birthdate" else "2048"  # AWS: birthdate is YYYY-MM-DD
        low = "10" if name == "birthdate" else low
        return {"Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": False, "Mutable": mutable,
                "Required": False, "StringAttributeConstraints": {"MinLength": low, "MaxLength": high}}

    attrs = [string("sub", mutable=False, low="1")]
    attrs[0]["Required"] = True
    for name in _STRINGS:
        attrs.append(string(name))
        if name in ("email", "phone_number"):
            attrs.append({"Name": f"{name}_verified", "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": False,
                          "Mutable": True, "Required": False})
    attrs.append({"Name": "updated_at", "AttributeDataType": "Number", "DeveloperOnlyAttribute": False,
                  "Mutable": True, "Required": False, "NumberAttributeConstraints": {"MinValue": "0"}})
    return attrs


@functools.cache
def standard_names() -> frozenset[str]:
    return frozenset(a["Name"] for a in _standard())


def pool_schema(given: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """SchemaAttributes of a new pool: the standard ones, changed or extended by `given`, checked
    with AWS's messages."""
    attrs = {a["Name"]: a for a in _standard()}
    for item in given or []:
        name = item.get("Name") or ""
        _check_constraints(item)
        if name in attrs:
            standard = attrs[name]
            if item.get("DeveloperOnlyAttribute") or \
                    item.get("AttributeDataType", standard["AttributeDataType"]) != standard["AttributeDataType"]:
                raise InvalidParameter("You can not change AttributeDataType or set developerOnlyAttribute for "
                                       f"standard schema attribute {name}")
            attrs[name] = _merged(standard, item)
            continue
        if not item.get("AttributeDataType"):
            raise InvalidParameter("Invalid AttributeDataType input, consider using the provided AttributeDataType "
                                   "enum.")
        if item.get("Required"):
            raise InvalidParameter("Required custom attributes are not supported currently.")
        prefix = "dev:custom:" if item.get("DeveloperOnlyAttribute") else "custom:"
        custom = {"DeveloperOnlyAttribute": False, "Mutable": True, "Required": False,
                  **_merged({}, item), "Name": prefix + name}
        attrs[custom["Name"]] = custom
    return list(attrs.values())


def _merged(base: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """An attribute with `item`'s settings; only the constraints of its data type are kept."""
    merged = {**base, **{k: v for k, v in item.items() if v is not None}}
    kind = merged.get("AttributeDataType")
    for key, owner in (("StringAttributeConstraints", "String"), ("NumberAttributeConstraints", "Number")):
        if kind != owner:
            merged.pop(key, None)
        elif key in item:
            merged[key] = {**(base.get(key) or {}), **item[key]}
    if kind == "String":
        merged.setdefault("StringAttributeConstraints", {})
    return merged


def _check_constraints(item: dict[str, Any]) -> None:
    name = item.get("Name") or ""
    for key, low, high in (("StringAttributeConstraints", "MinLength", "MaxLength"),
                           ("NumberAttributeConstraints", "MinValue", "MaxValue")):
        given = item.get(key) or {}
        values = {}
        for bound in (low, high):
            if given.get(bound) is None:
                continue
            try:
                values[bound] = int(given[bound])
            except (TypeError, ValueError):
                raise InvalidParameter(f"Invalid {key} for schema attribute {name}") from None
        if key.startswith("String") and any(v > 2048 for v in values.values()):
            raise InvalidParameter(f"user.{name}: String attributes cannot have a length of more than 2048")
        if low in values and high in values and values[high] < values[low]:
            what = "length" if key.startswith("String") else "value"
            raise InvalidParameter(f"user.{name}: Max {what} cannot be less than min {what}.")


def add_custom(pool: dict[str, Any], given: list[dict[str, Any]]) -> None:
    """AddCustomAttributes."""
    existing = {a["Name"] for a in pool["SchemaAttributes"]}
    for item in given:
        name = f"custom:{item['Name']}"
        if name in existing or f"dev:{name}" in existing:
            raise InvalidParameter(f"{name}: Existing attribute already has name dev:{name}.")
        pool["SchemaAttributes"].append(pool_schema([item])[-1])


def check_attributes(pool: dict[str, Any], attributes: dict[str, str], *, creating: bool,
                     updating: bool = False) -> None:
    """Attributes must be in the schema; when creating, required ones present; when updating,
    mutable."""
    schema = {a["Name"]: a for a in pool.get("SchemaAttributes") or []}
    for name in attributes:
        if name not in schema:
            raise InvalidParameter("Attributes did not conform to the schema: Type for attribute {"
                                   + name + "} could not be determined")
        if updating and not schema[name].get("Mutable", True):
            raise InvalidParameter(f"Attribute cannot be updated. (changing an immutable attribute) {name}")
    if creating:
        missing = [n for n, a in schema.items() if a.get("Required") and n != "sub" and not attributes.get(n)]
        if missing:
            raise InvalidParameter("Attributes did not conform to the schema: " +
                                   ", ".join(f"{n}: The attribute {n} is required" for n in missing))

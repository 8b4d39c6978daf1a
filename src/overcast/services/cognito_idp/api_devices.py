"""Devices: NewDeviceMetadata at sign-in when the pool tracks devices (DeviceConfiguration),
ConfirmDevice with the device's SRP verifier, Get/List/Forget/UpdateDeviceStatus and their Admin
forms, and the remembered-device sign-in: a password proof that names a confirmed DEVICE_KEY is
followed by DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (SRP against the device's verifier, with
the device group key and device key where a user sign-in has the pool name and username), which
skips MFA. [Working with devices](https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-device-tracking.html)."""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp import srp
from overcast.services.cognito_idp.api_base import ApiBase, Where
from overcast.services.cognito_idp.api_pools import page
from overcast.services.cognito_idp.errors import INCORRECT, InvalidParameter, NotAuthorized, ResourceNotFound

_DEVICE = "device"


def _view(device: dict[str, Any]) -> dict[str, Any]:
    """DeviceType: the key, dates and AWS's device attributes."""
    attributes = [{"Name": "device_status", "Value": "valid"},
                  {"Name": "device_name", "Value": device.get("Name") or ""},
                  {"Name": "dev:device_remembered_status", "Value": device.get("Remembered", "not_remembered")}]
    return {"DeviceKey": device["DeviceKey"], "DeviceAttributes": attributes,
            "DeviceCreateDate": device["Created"], "DeviceLastModifiedDate": device["Modified"],
            "DeviceLastAuthenticatedDate": device["Authenticated"]}


class DeviceOperations(ApiBase):
    # -- storage ----------------------------------------------------------------------------
    def _device(self, where: Where, user: dict[str, Any], key: str) -> dict[str, Any]:
        device = self.store.docs.get(where.account, where.region, _DEVICE, key, where.pool["Id"])
        if device is None or device["Username"] != user["Username"]:
            raise ResourceNotFound("Device does not exist.")
        return device

    def _put_device(self, where: Where, device: dict[str, Any]) -> None:
        device["Modified"] = self.platform.clock.now()
        self.store.docs.put(where.account, where.region, _DEVICE, device["DeviceKey"], device, where.pool["Id"])

    def new_device_metadata(self, where: Where, user: dict[str, Any]) -> dict[str, str] | None:
        """A pool that tracks devices hands each new sign-in a device key and group key."""
        if not where.pool.get("DeviceConfiguration"):
            return None
        now = self.platform.clock.now()
        region = where.pool["Id"].split("_", 1)[0]
        device = {"DeviceKey": f"{region}_{uuid.uuid4()}", "GroupKey": "-" + secrets.token_urlsafe(7)[:9],
                  "Username": user["Username"], "Confirmed": False, "Created": now, "Authenticated": now}
        self._put_device(where, device)
        return {"DeviceKey": device["DeviceKey"], "DeviceGroupKey": device["GroupKey"]}

    def confirmed_device(self, where: Where, user: dict[str, Any], key: str | None) -> dict[str, Any] | None:
        if not key:
            return None
        device = self.store.docs.get(where.account, where.region, _DEVICE, key, where.pool["Id"])
        ok = device is not None and device["Username"] == user["Username"] and device.get("Confirmed")
        return device if ok else None

    # -- operations with an access token ----------------------------------------------------
    def confirm_device(self, ctx: RequestContext, access_token: str, device_key: str,
                       device_secret_verifier_config: dict[str, str] | None = None,
                       device_name: str | None = None) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        device = self._device(where, user, device_key)
        config = device_secret_verifier_config or {}
        try:
            verifier = base64.b64decode(config.get("PasswordVerifier", ""), validate=True).hex()
            salt = base64.b64decode(config.get("Salt", ""), validate=True).hex()
        except (binascii.Error, ValueError):
            raise InvalidParameter("Invalid device secret verifier config.") from None
        if not verifier or not salt:
            raise InvalidParameter("Missing required parameter DeviceSecretVerifierConfig")
        on_prompt = bool((where.pool.get("DeviceConfiguration") or {}).get("DeviceOnlyRememberedOnUserPrompt"))
        device.update({"Confirmed": True, "Verifier": verifier, "Salt": salt, "Name": device_name,
                       "Remembered": "not_remembered" if on_prompt else "remembered"})
        self._put_device(where, device)
        return {"UserConfirmationNecessary": on_prompt}

    def get_device(self, ctx: RequestContext, device_key: str, access_token: str) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        return {"Device": _view(self._device(where, user, device_key))}

    def _devices(self, where: Where, user: dict[str, Any], limit: int | None, token: str | None) -> dict[str, Any]:
        devices = [_view(d) for d in self.store.docs.list(where.account, where.region, _DEVICE, where.pool["Id"])
                   if d["Username"] == user["Username"] and d.get("Confirmed")]
        return page(devices, token, limit, "Devices", "PaginationToken")

    def list_devices(self, ctx: RequestContext, access_token: str, limit: int | None = None,
                     pagination_token: str | None = None) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        return self._devices(where, user, limit, pagination_token)

    def forget_device(self, ctx: RequestContext, device_key: str, access_token: str | None = None) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token or "")
        self._device(where, user, device_key)
        self.store.docs.delete(where.account, where.region, _DEVICE, device_key, where.pool["Id"])
        return {}

    def _status(self, where: Where, user: dict[str, Any], key: str, status: str | None) -> dict[str, Any]:
        device = self._device(where, user, key)
        device["Remembered"] = status or "not_remembered"
        self._put_device(where, device)
        return {}

    def update_device_status(self, ctx: RequestContext, access_token: str, device_key: str,
                             device_remembered_status: str | None = None) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        return self._status(where, user, device_key, device_remembered_status)

    # -- administrators ---------------------------------------------------------------------
    def _admin_user(self, ctx: RequestContext, user_pool_id: str, username: str) -> tuple[Where, dict[str, Any]]:
        where = self._where(ctx, user_pool_id)
        return where, self.store.user(where.account, where.region, where.pool, username)

    def admin_get_device(self, ctx: RequestContext, device_key: str, user_pool_id: str,
                         username: str) -> dict[str, Any]:
        where, user = self._admin_user(ctx, user_pool_id, username)
        return {"Device": _view(self._device(where, user, device_key))}

    def admin_list_devices(self, ctx: RequestContext, user_pool_id: str, username: str, limit: int | None = None,
                           pagination_token: str | None = None) -> dict[str, Any]:
        where, user = self._admin_user(ctx, user_pool_id, username)
        return self._devices(where, user, limit, pagination_token)

    def admin_forget_device(self, ctx: RequestContext, user_pool_id: str, username: str,
                            device_key: str) -> dict[str, Any]:
        where, user = self._admin_user(ctx, user_pool_id, username)
        self._device(where, user, device_key)
        self.store.docs.delete(where.account, where.region, _DEVICE, device_key, where.pool["Id"])
        return {}

    def admin_update_device_status(self, ctx: RequestContext, user_pool_id: str, username: str, device_key: str,
                                   device_remembered_status: str | None = None) -> dict[str, Any]:
        where, user = self._admin_user(ctx, user_pool_id, username)
        return self._status(where, user, device_key, device_remembered_status)

    # -- remembered-device sign-in -----------------------------------------------------------
    def _device_srp_challenge(self, where: Where, user: dict[str, Any], device: dict[str, Any],
                              answers: dict[str, str]) -> dict[str, Any]:
        """DEVICE_SRP_AUTH answered with SRP_A: the DEVICE_PASSWORD_VERIFIER challenge."""
        if not answers.get("SRP_A"):
            raise InvalidParameter("Missing required parameter SRP_A")
        b, big_b = srp.server_values(int(device["Verifier"], 16))
        block = base64.b64encode(secrets.token_bytes(64)).decode()
        self.store.new_session(where.account, where.region, {
            "Kind": "DEVICE_PASSWORD_VERIFIER", "Username": user["Username"], "DeviceKey": device["DeviceKey"],
            "A": answers["SRP_A"], "b": f"{b:x}", "B": f"{big_b:x}"}, session=srp.block_id(block))
        return {"ChallengeName": "DEVICE_PASSWORD_VERIFIER",
                "ChallengeParameters": {"SALT": device["Salt"], "SRP_B": f"{big_b:x}", "SECRET_BLOCK": block,
                                        "DEVICE_KEY": device["DeviceKey"], "USERNAME": user["Username"]}}

    def _device_proof(self, where: Where, user: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
        """The device's proof checked against its verifier; the device, or NotAuthorized."""
        block = answers.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
        state = self.store.take_session(srp.block_id(block))
        self.store.end_session(where.account, where.region, srp.block_id(block))
        device = self.confirmed_device(where, user, state.get("DeviceKey"))
        key = srp.session_key(state["A"], int(state["b"], 16), int(state["B"], 16), int(device["Verifier"], 16)) \
            if device else None
        if device is None or key is None or not srp.proof_matches(
                key, device["GroupKey"], device["DeviceKey"], block, answers.get("TIMESTAMP", ""),
                answers.get("PASSWORD_CLAIM_SIGNATURE", "")):
            raise NotAuthorized(INCORRECT)
        device["Authenticated"] = self.platform.clock.now()
        self._put_device(where, device)
        return device

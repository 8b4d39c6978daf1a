"""Public keys and key groups (what signed URLs and cookies are checked against), and origin
access identities (stored). AWS's rules: a public key is an RSA key in PEM form
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-trusted-signers.html),
only its comment can change, and a key in a key group, or a key group a distribution trusts, cannot
be deleted."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudfront.api_base import ApiBase, listing, location, page, public
from overcast.services.cloudfront.errors import check_if_match, error, invalid_argument
from overcast.services.cloudfront.models import new_etag, new_id
from overcast.services.cloudfront.validation import behaviours

#: A key group holds at most five public keys (CloudFront's quota).
MAX_KEYS_PER_GROUP = 5


def normalised_key(encoded: str) -> str:
    """The PEM text as AWS keeps it (ending in a newline), after checking it is an RSA public key."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    text = encoded if encoded.endswith("\n") else encoded + "\n"
    try:
        key = load_pem_public_key(text.encode())
    except (ValueError, TypeError):
        raise invalid_argument("Invalid or unsupported public key. The public key must be an RSA key in PEM "
                               "format.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise invalid_argument("Invalid or unsupported public key. The public key must be an RSA key in PEM "
                               "format.")
    return text


class KeyOperations(ApiBase):
    # -- public keys ---------------------------------------------------------------------------------

    def create_public_key(self, ctx: RequestContext, public_key_config: dict[str, Any]) -> dict[str, Any]:
        config = {**public_key_config, "Comment": public_key_config.get("Comment") or "",
                  "EncodedKey": normalised_key(public_key_config["EncodedKey"])}
        for other in self.store.list(ctx.account, "public-key"):
            if other["PublicKeyConfig"]["CallerReference"] == config["CallerReference"] \
                    or other["PublicKeyConfig"]["Name"] == config["Name"]:
                raise error("PublicKeyAlreadyExists", "The specified public key already exists.", 409)
        key_id = new_id("K", 13)
        doc = {"Id": key_id, "CreatedTime": self.platform.clock.now(), "PublicKeyConfig": config,
               "_etag": new_etag()}
        self.store.put(ctx.account, "public-key", key_id, doc)
        return {"PublicKey": public(doc), "ETag": doc["_etag"], "Location": location(ctx, f"public-key/{key_id}")}

    def _public_key(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        return self.store.get(ctx.account, "public-key", id, "PublicKey")

    def get_public_key(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._public_key(ctx, id)
        return {"PublicKey": public(doc), "ETag": doc["_etag"]}

    def get_public_key_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._public_key(ctx, id)
        return {"PublicKeyConfig": doc["PublicKeyConfig"], "ETag": doc["_etag"]}

    def update_public_key(self, ctx: RequestContext, public_key_config: dict[str, Any], id: str,
                          if_match: str | None = None) -> dict[str, Any]:
        doc = self._public_key(ctx, id)
        check_if_match(if_match, doc["_etag"])
        old = doc["PublicKeyConfig"]
        encoded = public_key_config.get("EncodedKey") or ""
        if public_key_config.get("CallerReference") != old["CallerReference"] \
                or public_key_config.get("Name") != old["Name"] \
                or (encoded if encoded.endswith("\n") else encoded + "\n") != old["EncodedKey"]:
            # AWS: only the comment of a public key can be changed.
            raise error("CannotChangeImmutablePublicKeyFields", "You can't change the value of a public key.")
        doc.update(PublicKeyConfig={**old, "Comment": public_key_config.get("Comment") or ""}, _etag=new_etag())
        self.store.put(ctx.account, "public-key", id, doc)
        return {"PublicKey": public(doc), "ETag": doc["_etag"]}

    def delete_public_key(self, ctx: RequestContext, id: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self._public_key(ctx, id)
        check_if_match(if_match, doc["_etag"])
        if any(id in (g["KeyGroupConfig"].get("Items") or []) for g in self.store.list(ctx.account, "key-group")):
            raise error("PublicKeyInUse", "The specified public key is in use.", 409)
        self.store.delete(ctx.account, "public-key", id)
        return {}

    def list_public_keys(self, ctx: RequestContext, marker: str | None = None,
                         max_items: str | None = None) -> dict[str, Any]:
        chunk, meta = page(self.store.list(ctx.account, "public-key"), marker, max_items)
        summaries = [{"Id": d["Id"], "Name": d["PublicKeyConfig"]["Name"], "CreatedTime": d["CreatedTime"],
                      "EncodedKey": d["PublicKeyConfig"]["EncodedKey"], "Comment": d["PublicKeyConfig"]["Comment"]}
                     for d in chunk]
        return {"PublicKeyList": listing(meta, summaries, ("MaxItems", "Quantity", "NextMarker"))}

    # -- key groups ----------------------------------------------------------------------------------

    def _check_key_group(self, ctx: RequestContext, config: dict[str, Any], own_id: str = "") -> None:
        keys = config.get("Items") or []
        if not keys:
            raise invalid_argument("A key group must contain at least one public key.")
        if len(keys) > MAX_KEYS_PER_GROUP:
            raise error("TooManyPublicKeysInKeyGroup", "The number of public keys in this key group is more than "
                        f"the maximum allowed ({MAX_KEYS_PER_GROUP}).")
        for key_id in keys:
            if self.store.docs.get(ctx.account, "us-east-1", "public-key", key_id) is None:
                raise invalid_argument(f"The public key {key_id} does not exist.")
        for other in self.store.list(ctx.account, "key-group"):
            if other["Id"] != own_id and other["KeyGroupConfig"]["Name"] == config["Name"]:
                raise error("KeyGroupAlreadyExists", "A key group with this name already exists.", 409)

    def create_key_group(self, ctx: RequestContext, key_group_config: dict[str, Any]) -> dict[str, Any]:
        self._check_key_group(ctx, key_group_config)
        group_id = str(uuid.uuid4())
        doc = {"Id": group_id, "LastModifiedTime": self.platform.clock.now(), "KeyGroupConfig": key_group_config,
               "_etag": new_etag()}
        self.store.put(ctx.account, "key-group", group_id, doc)
        return {"KeyGroup": public(doc), "ETag": doc["_etag"], "Location": location(ctx, f"key-group/{group_id}")}

    def _key_group(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        return self.store.get(ctx.account, "key-group", id, "Resource")

    def get_key_group(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._key_group(ctx, id)
        return {"KeyGroup": public(doc), "ETag": doc["_etag"]}

    def get_key_group_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._key_group(ctx, id)
        return {"KeyGroupConfig": doc["KeyGroupConfig"], "ETag": doc["_etag"]}

    def update_key_group(self, ctx: RequestContext, key_group_config: dict[str, Any], id: str,
                         if_match: str | None = None) -> dict[str, Any]:
        doc = self._key_group(ctx, id)
        check_if_match(if_match, doc["_etag"])
        self._check_key_group(ctx, key_group_config, own_id=id)
        doc.update(KeyGroupConfig=key_group_config, _etag=new_etag(), LastModifiedTime=self.platform.clock.now())
        self.store.put(ctx.account, "key-group", id, doc)
        return {"KeyGroup": public(doc), "ETag": doc["_etag"]}

    def delete_key_group(self, ctx: RequestContext, id: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self._key_group(ctx, id)
        check_if_match(if_match, doc["_etag"])
        if self._distributions_trusting(ctx, id):
            raise error("ResourceInUse", "Cannot delete this resource because it is in use.", 409)
        self.store.delete(ctx.account, "key-group", id)
        return {}

    def list_key_groups(self, ctx: RequestContext, marker: str | None = None,
                        max_items: str | None = None) -> dict[str, Any]:
        chunk, meta = page(self.store.list(ctx.account, "key-group"), marker, max_items)
        return {"KeyGroupList": listing(meta, [{"KeyGroup": public(d)} for d in chunk],
                                        ("MaxItems", "Quantity", "NextMarker"))}

    def _distributions_trusting(self, ctx: RequestContext, group_id: str) -> list[str]:
        return [d["Id"] for d in self.store.list(ctx.account, "distribution")
                if any(group_id in ((b.get("TrustedKeyGroups") or {}).get("Items") or [])
                       for b in behaviours(d["DistributionConfig"]))]

    # -- origin access identities (stored) -------------------------------------------------------------

    def create_cloud_front_origin_access_identity(self, ctx: RequestContext,
                                                  cloud_front_origin_access_identity_config: dict[str, Any]
                                                  ) -> dict[str, Any]:
        config = cloud_front_origin_access_identity_config
        for other in self.store.list(ctx.account, "oai"):
            if other["CloudFrontOriginAccessIdentityConfig"]["CallerReference"] == config["CallerReference"]:
                raise error("CloudFrontOriginAccessIdentityAlreadyExists", "If the CallerReference is a value you "
                            "already sent in a previous request to create an identity but the content of the "
                            "CloudFrontOriginAccessIdentityConfig is different from the original request, "
                            "CloudFront returns a CloudFrontOriginAccessIdentityAlreadyExists error.", 409)
        oai_id = new_id("E", 13)
        doc = {"Id": oai_id, "S3CanonicalUserId": secrets.token_hex(48),
               "CloudFrontOriginAccessIdentityConfig": config, "_etag": new_etag()}
        self.store.put(ctx.account, "oai", oai_id, doc)
        return {"CloudFrontOriginAccessIdentity": public(doc), "ETag": doc["_etag"],
                "Location": location(ctx, f"origin-access-identity/cloudfront/{oai_id}")}

    def _oai(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        return self.store.get(ctx.account, "oai", id, "CloudFrontOriginAccessIdentity")

    def get_cloud_front_origin_access_identity(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._oai(ctx, id)
        return {"CloudFrontOriginAccessIdentity": public(doc), "ETag": doc["_etag"]}

    def get_cloud_front_origin_access_identity_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._oai(ctx, id)
        return {"CloudFrontOriginAccessIdentityConfig": doc["CloudFrontOriginAccessIdentityConfig"],
                "ETag": doc["_etag"]}

    def update_cloud_front_origin_access_identity(self, ctx: RequestContext,
                                                  cloud_front_origin_access_identity_config: dict[str, Any],
                                                  id: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self._oai(ctx, id)
        check_if_match(if_match, doc["_etag"])
        config = cloud_front_origin_access_identity_config
        if config["CallerReference"] != doc["CloudFrontOriginAccessIdentityConfig"]["CallerReference"]:
            raise error("IllegalUpdate", "Origin and CallerReference cannot be updated.")
        doc.update(CloudFrontOriginAccessIdentityConfig=config, _etag=new_etag())
        self.store.put(ctx.account, "oai", id, doc)
        return {"CloudFrontOriginAccessIdentity": public(doc), "ETag": doc["_etag"]}

    def delete_cloud_front_origin_access_identity(self, ctx: RequestContext, id: str,
                                                  if_match: str | None = None) -> dict[str, Any]:
        doc = self._oai(ctx, id)
        check_if_match(if_match, doc["_etag"])
        ref = f"origin-access-identity/cloudfront/{id}"
        for dist in self.store.list(ctx.account, "distribution"):
            if any((o.get("S3OriginConfig") or {}).get("OriginAccessIdentity") == ref
                   for o in dist["DistributionConfig"]["Origins"].get("Items") or []):
                raise error("CloudFrontOriginAccessIdentityInUse", "The Origin Access Identity specified is already "
                            "in use.", 409)
        self.store.delete(ctx.account, "oai", id)
        return {}

    def list_cloud_front_origin_access_identities(self, ctx: RequestContext, marker: str | None = None,
                                                  max_items: str | None = None) -> dict[str, Any]:
        chunk, meta = page(self.store.list(ctx.account, "oai"), marker, max_items)
        summaries = [{"Id": d["Id"], "S3CanonicalUserId": d["S3CanonicalUserId"],
                      "Comment": d["CloudFrontOriginAccessIdentityConfig"].get("Comment") or ""} for d in chunk]
        return {"CloudFrontOriginAccessIdentityList": listing(meta, summaries)}

"""Tags on keys: TagResource, UntagResource, ListResourceTags
(https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.kms.api_base import ApiBase, paged
from overcast.services.kms.errors import KMSInvalidStateException, TagException

MAX_TAGS = 50


def check_tags(tags: list[dict[str, str]] | None) -> None:
    """Tag keys starting with `aws:` are reserved for AWS; a key takes at most 50 tags (CreateKey's
    and ReplicateKey's as TagResource's)."""
    for tag in tags or []:
        if tag.get("TagKey", "").lower().startswith("aws:"):
            raise TagException("Tags beginning with aws: are reserved.")
    if len({tag.get("TagKey") for tag in tags or []}) > MAX_TAGS:
        raise TagException(f"A KMS key can have at most {MAX_TAGS} tags.")


class TagsOperations(ApiBase):
    def tag_resource(self, ctx: RequestContext, key_id: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        self._writable(doc)
        check_tags(tags)
        merged = {t["TagKey"]: t["TagValue"] for t in doc.get("Tags", [])}
        merged.update({t["TagKey"]: t["TagValue"] for t in tags})
        if len(merged) > MAX_TAGS:
            raise TagException(f"A KMS key can have at most {MAX_TAGS} tags.")
        doc["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in merged.items()]
        self._save(ctx, doc)
        return {}

    def untag_resource(self, ctx: RequestContext, key_id: str, tag_keys: list[str]) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        self._writable(doc)
        doc["Tags"] = [t for t in doc.get("Tags", []) if t["TagKey"] not in set(tag_keys)]
        self._save(ctx, doc)
        return {}

    def list_resource_tags(self, ctx: RequestContext, key_id: str, limit: int | None = None,
                           marker: str | None = None) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        page, following = self._page(list(doc.get("Tags", [])), limit, marker, default=50)
        return paged("Tags", page, following)

    @staticmethod
    def _writable(doc: dict[str, Any]) -> None:
        """Tags of a key pending deletion cannot change (KMSInvalidStateException)."""
        meta = doc["Metadata"]
        if meta["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion"):
            raise KMSInvalidStateException(f"{meta['Arn']} is pending deletion.")

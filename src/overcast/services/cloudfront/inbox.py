"""What the rest of overcast (the KeyValueStore data API) uses of CloudFront: its store of
documents and AWS's ETag shape."""

from overcast.services.cloudfront.models import CloudFrontStore, new_etag

__all__ = ["CloudFrontStore", "new_etag"]

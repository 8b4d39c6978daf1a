"""S3's errors: AWS's codes, statuses and messages, with the extra members S3 puts in its error
documents (`<BucketName>`, `<Key>`, `<UploadId>`...)."""

from __future__ import annotations

from typing import Any

from overcast.errors import ServiceError


def s3_error(code: str, message: str, status: int = 400, headers: dict[str, str] | None = None,
             **fields: Any) -> ServiceError:
    return ServiceError(message, code=code, status=status, sender_fault=status < 500,
                        fields={k: v for k, v in fields.items() if v is not None}, headers=headers)


def no_such_bucket(name: str) -> ServiceError:
    return s3_error("NoSuchBucket", "The specified bucket does not exist", 404, BucketName=name)


def no_such_key(key: str, headers: dict[str, str] | None = None) -> ServiceError:
    return s3_error("NoSuchKey", "The specified key does not exist.", 404, headers=headers, Key=key)


def no_such_version(key: str, version_id: str) -> ServiceError:
    return s3_error("NoSuchVersion", "The specified version does not exist.", 404, Key=key, VersionId=version_id)


def invalid_version(version_id: str) -> ServiceError:
    return s3_error("InvalidArgument", "Invalid version id specified", ArgumentName="versionId",
                    ArgumentValue=version_id)


def no_such_upload(upload_id: str) -> ServiceError:
    return s3_error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the "
                    "upload may have been aborted or completed.", 404, UploadId=upload_id)


def invalid_argument(message: str, name: str | None = None, value: Any = None) -> ServiceError:
    return s3_error("InvalidArgument", message, ArgumentName=name, ArgumentValue=value)


def invalid_request(message: str) -> ServiceError:
    return s3_error("InvalidRequest", message)


def malformed_xml() -> ServiceError:
    return s3_error("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                    "published schema")


def invalid_bucket_name(name: str) -> ServiceError:
    return s3_error("InvalidBucketName", "The specified bucket is not valid.", BucketName=name)


def precondition_failed(condition: str) -> ServiceError:
    return s3_error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    Condition=condition)


def not_modified(headers: dict[str, str]) -> ServiceError:
    return s3_error("NotModified", "Not Modified", 304, headers=headers)


def invalid_range(requested: str, size: int) -> ServiceError:
    return s3_error("InvalidRange", "The requested range is not satisfiable", 416, RangeRequested=requested,
                    ActualObjectSize=size)


def entity_too_large(size: int, limit: int) -> ServiceError:
    return s3_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", ProposedSize=size,
                    MaxSizeAllowed=limit)


def bad_digest(kind: str, expected: str, calculated: str) -> ServiceError:
    if kind == "Content-MD5":
        return s3_error("BadDigest", "The Content-MD5 you specified did not match what we received.",
                        ExpectedDigest=expected, CalculatedDigest=calculated)
    return s3_error("BadDigest", f"The {kind} you specified did not match the calculated checksum.")


def method_not_allowed(method: str, resource: str, headers: dict[str, str] | None = None) -> ServiceError:
    return s3_error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                    headers=headers, Method=method, ResourceType=resource)


def not_found_config(code: str, message: str, bucket: str) -> ServiceError:
    return s3_error(code, message, 404, BucketName=bucket)

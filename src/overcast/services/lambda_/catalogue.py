"""Lambda's error catalogue: every message AWS answers with, its error code and HTTP status, in one table.

Operations raise `error("key", field=value)` instead of building messages where they fail, so the
wording AWS records lives here once (docs/aws-behaviour.md#lambda-error-catalogue). Messages are
AWS's as recorded, punctuation included (some end in a period, some do not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.lambda_.errors import (
    AccessDenied,
    CallbackTimeout,
    ExecutionAlreadyStarted,
    InvalidParameterValue,
    InvalidRequestContent,
    LambdaError,
    PolicyLengthExceeded,
    PreconditionFailed,
    PublicPolicy,
    RequestTooLarge,
    ResourceConflict,
    ResourceInUse,
    ResourceNotFound,
    Validation,
)


@dataclass(frozen=True)
class Entry:
    error: type[LambdaError]
    template: str


CATALOGUE: dict[str, Entry] = {
    # -- functions, versions, aliases ---------------------------------------------------------
    "function_not_found": Entry(ResourceNotFound, "Function not found: {arn}"),
    "function_exists": Entry(ResourceConflict, "Function already exist: {name}"),
    "wrong_region": Entry(ResourceNotFound, "Functions from '{region}' are not reachable in this region ('{here}')"),
    "qualifier_mismatch": Entry(InvalidParameterValue, "The derived qualifier from the function name does not match "
                                                       "the specified qualifier."),
    "update_in_progress": Entry(ResourceConflict, "The operation cannot be performed at this time. An update is in "
                                                  "progress for resource: {arn}"),
    "function_state": Entry(ResourceConflict, "The operation cannot be performed at this time. The function is "
                                              "currently in the following state: {state}"),
    "alias_not_found": Entry(ResourceNotFound, "Alias not found: {arn}"),
    "alias_arn_not_found": Entry(ResourceNotFound, "Cannot find alias arn: {arn}"),
    "alias_exists": Entry(ResourceConflict, "Alias already exists: {arn}"),
    "routing_own_version": Entry(InvalidParameterValue, "Invalid function version {version}. Function version "
                                                        "{version} is already included in routing configuration."),
    "invalid_function_name": Entry(InvalidParameterValue, "Invalid function name: {name}"),
    "name_too_long": Entry(Validation, "1 validation error detected: Value '{name}' at 'functionName' failed to "
                                       "satisfy constraint: Member must have length less than or equal to {limit}"),
    "value_too_large": Entry(Validation, "1 validation error detected: Value '{value}' at '{member}' failed to "
                                         "satisfy constraint: Member must have value less than or equal to {limit}"),
    # under --iam enforce: the execution role is missing or does not trust lambda.amazonaws.com
    "role_not_assumable": Entry(InvalidParameterValue, "The role defined for the function cannot be assumed by Lambda."),
    "runtime_required": Entry(InvalidParameterValue, "Runtime is required for a function of package type Zip."),
    "handler_required": Entry(InvalidParameterValue, "Handler is required for a function of package type Zip."),
    "no_code_source": Entry(InvalidParameterValue, "Please provide a source for function code."),
    "no_layer_source": Entry(InvalidParameterValue, "Please provide a source for layer content."),
    # overcast's own (hot reload, docs/hot-reload.md): AWS has no such bucket
    "hot_reload_path": Entry(InvalidParameterValue, "When using hot reloading, the S3Key must be the absolute path "
                                                    "of a folder on the machine overcast runs on: {folder!r} {reason}."),
    "images_unsupported": Entry(InvalidParameterValue, "overcast runs functions packaged as .zip archives; "
                                                       "container images (ImageUri) are not supported."),
    "s3_code_error": Entry(InvalidParameterValue, "Error occurred while GetObject. S3 Error Code: {code}. S3 Error "
                                                  "Message: {message}"),
    "bad_zip": Entry(InvalidParameterValue, "Could not unzip uploaded file. Please check your file, then try to "
                                            "upload again."),
    "zip_entry_escapes": Entry(InvalidParameterValue, "Could not unzip uploaded file: the entry {entry} escapes the "
                                                      "function's folder."),
    "zip_link_escapes": Entry(InvalidParameterValue, "Could not unzip uploaded file: the link {entry} points outside "
                                                     "the function's folder."),
    "reserved_variables": Entry(InvalidParameterValue, "Lambda was unable to configure your environment variables "
                                                       "because the environment variables you have provided contains "
                                                       "reserved keys that are currently not supported for "
                                                       "modification. Reserved keys used in this request: {keys}"),
    "variable_name": Entry(Validation, "1 validation error detected: Value at 'environment.variables' failed to "
                                       "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                                       "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"),
    "variables_too_large": Entry(InvalidParameterValue, "Lambda was unable to configure your environment variables "
                                                        "because the environment variables you have provided "
                                                        "exceeded the 4KB limit. String measured: {measured}"),
    "dead_letter_arn": Entry(InvalidParameterValue, "The provided target arn {arn} is invalid. Please check the ARN "
                                                    "format (SQS or SNS)."),
    "compatible_runtime": Entry(Validation, "1 validation error detected: Value '{runtime}' at "
                                            "'compatibleRuntimes.{index}' failed to satisfy constraint: Member must "
                                            "satisfy enum value set: [{allowed}]"),
    "code_sha_mismatch": Entry(InvalidParameterValue, "CodeSHA256 ({given}) is different from current CodeSHA256 in "
                                                      "$LATEST ({current}). Please try again with the CodeSHA256 in "
                                                      "$LATEST."),
    "delete_latest": Entry(InvalidParameterValue, "$LATEST version cannot be deleted without deleting the function."),
    "version_in_use": Entry(ResourceConflict, "Unable to delete version because the following aliases reference "
                                              "it: [{aliases}]"),
    "routing_weight": Entry(InvalidParameterValue, "Invalid weight {weight} for version {version}: weights must be "
                                                   "between 0.0 and 1.0."),
    "routing_versions": Entry(InvalidParameterValue, "Number of items in AdditionalVersionWeights cannot be greater "
                                                     "than 1"),
    "invalid_layer_arn": Entry(InvalidParameterValue, "Invalid layer version ARN: {arn}"),
    "destination_arn": Entry(InvalidParameterValue, "The destination ARN {arn} is invalid."),
    "client_context": Entry(InvalidRequestContent, "Client context must be a valid Base64-encoded JSON object."),
    "revision_mismatch": Entry(PreconditionFailed, "The Revision Id provided does not match the latest Revision Id. "
                                                   "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"),
    # -- runtimes -----------------------------------------------------------------------------
    "invalid_runtime": Entry(InvalidParameterValue, "Value {runtime} at 'runtime' failed to satisfy constraint: Member "
                                                    "must satisfy enum value set: [{allowed}] or be a valid ARN"),
    "deprecated_runtime": Entry(InvalidParameterValue, "The runtime parameter of {runtime} is no longer supported for "
                                                       "creating or updating AWS Lambda functions. We recommend you use "
                                                       "a supported runtime while creating or updating functions."),
    # -- policies -----------------------------------------------------------------------------
    "policy_not_found": Entry(ResourceNotFound, "The resource you requested does not exist."),
    # overcast's wording: AWS's message for a policy that is not a JSON policy document is not recorded
    "policy_malformed": Entry(InvalidParameterValue, "The policy is not a valid JSON policy document."),
    "statement_exists": Entry(ResourceConflict, "The statement id ({sid}) provided already exists. Please provide a "
                                                "new statement id, or remove the existing statement."),
    "statement_not_found": Entry(ResourceNotFound, "Statement {sid} is not found in resource policy."),
    "policy_too_large": Entry(PolicyLengthExceeded, "The final policy size ({size}) is bigger than the limit "
                                                    "({limit})."),
    # overcast's wording: AWS's message is not recorded (its documentation: the policy "would grant public
    # access to it, and your account's BlockPublicAccess setting prevents public access")
    "policy_public": Entry(PublicPolicy, "The resource-based policy you tried to add to the Lambda function would "
                                         "grant public access to it, and your account's BlockPublicAccess setting "
                                         "prevents public access."),
    "layer_policy_not_found": Entry(ResourceNotFound, "No policy is associated with the given resource."),
    "layer_revision_mismatch": Entry(PreconditionFailed, "The Revision Id provided does not match the latest Revision "
                                                         "Id. Call the GetLayerPolicy API to retrieve the latest "
                                                         "Revision Id"),
    # -- layers -------------------------------------------------------------------------------
    "layer_version_min": Entry(InvalidParameterValue, "Layer Version Cannot be less than 1"),
    "layer_not_found": Entry(ResourceNotFound, "The resource you requested does not exist."),
    "layer_version_missing": Entry(InvalidParameterValue, "Layer version {arn} does not exist."),
    "same_layer_twice": Entry(InvalidParameterValue, "Two different versions of the same layer are not allowed to be "
                                                     "referenced in the same function. {first} and {second} are "
                                                     "versions of the same layer."),
    "too_many_layers": Entry(InvalidParameterValue, "Cannot reference more than 5 layers."),
    # -- tags ---------------------------------------------------------------------------------
    "tags_on_qualified": Entry(InvalidParameterValue, "Tags on function aliases and versions are not supported. "
                                                      "Please specify a function ARN."),
    "too_many_tags": Entry(InvalidParameterValue, "Number of tags exceeds resource tag limit."),
    # -- asynchronous invocation configuration ------------------------------------------------
    "no_event_invoke_config": Entry(ResourceNotFound, "The function {arn} doesn't have an EventInvokeConfig"),
    "event_invoke_empty": Entry(InvalidParameterValue, "You must specify at least one of error handling or "
                                                       "destination setting."),
    # -- event source mappings ----------------------------------------------------------------
    "unrecognized_event_source": Entry(InvalidParameterValue, "Unrecognized event source."),
    "esm_function_missing": Entry(InvalidParameterValue, "Function does not exist"),
    "esm_not_found": Entry(ResourceNotFound, "Event source mapping not found: {arn}"),  # the tagging APIs
    "esm_unknown_uuid": Entry(ResourceNotFound, "The resource you requested does not exist. (Service: Lambda, "
                                                "Status Code: 404, Request ID: {request_id})"),  # Get/Update/Delete
    "esm_source_kind": Entry(InvalidParameterValue, "Unrecognized event source, must be kinesis, dynamodb stream "
                                                    "or sqs."),
    "esm_duplicate_queue": Entry(ResourceConflict, 'An event source mapping with SQS arn (" {arn} ") and function '
                                                   '(" {function} ") already exists. Please update or delete the '
                                                   "existing mapping with UUID {uuid}"),
    "esm_duplicate_stream": Entry(ResourceConflict, 'The event source arn (" {arn} ") and function (" {function} ") '
                                                    "provided mapping already exists. Please update or delete the "
                                                    "existing mapping with UUID {uuid}"),
    "esm_invalid_filter": Entry(InvalidParameterValue, "Invalid filter pattern definition."),
    "esm_too_many_filters": Entry(InvalidParameterValue, "The number of filters exceeds the limit of 10."),
    "esm_visibility": Entry(InvalidParameterValue, "Queue visibility timeout: {visibility} seconds is less than "
                                                   "Function timeout: {timeout} seconds"),
    "esm_starting_position_null": Entry(InvalidParameterValue, "1 validation error detected: Value null at "
                                                               "'startingPosition' failed to satisfy constraint: "
                                                               "Member must not be null."),
    "esm_unsupported_parameter": Entry(InvalidParameterValue, "Unsupported {name} parameter for given event "
                                                              "source mapping type."),
    "esm_batch_size": Entry(InvalidParameterValue, "BatchSize must be between 1 and 10000"),
    "esm_fifo_batch_size": Entry(InvalidParameterValue, "Maximum batch size for FIFO SQS queues is {limit}."),
    "esm_fifo_window": Entry(InvalidParameterValue, "Batching window is not supported for FIFO queues."),
    "esm_window_required": Entry(InvalidParameterValue, "Maximum batch window in seconds must be greater than 0 if "
                                                        "maximum batch size is greater than 10"),
    "esm_dynamodb_at_timestamp": Entry(InvalidParameterValue, "Unsupported starting position for DynamoDB streams: "
                                                              "AT_TIMESTAMP"),
    "esm_timestamp_required": Entry(InvalidParameterValue, "StartingPositionTimestamp must be provided when "
                                                           "StartingPosition is AT_TIMESTAMP."),
    "esm_starting_position_fixed": Entry(InvalidParameterValue, "StartingPosition cannot be updated."),
    "esm_record_age": Entry(InvalidParameterValue, "MaximumRecordAgeInSeconds must be either -1 (forever) or "
                                                   "between 60 and 604800 (inclusive)"),
    "esm_in_use_update": Entry(ResourceInUse, "Cannot update the event source mapping because it is in use. "
                                              "(state {state})"),
    "esm_in_use_delete": Entry(ResourceInUse, "Cannot delete the event source mapping because it is being "
                                              "deleted."),
    # -- function URLs ------------------------------------------------------------------------
    # Create/Update/ListFunctionUrlConfigs name the function, Get/Delete the resource (as AWS records)
    "url_function_missing": Entry(ResourceNotFound, "Function does not exist"),
    "url_resource_missing": Entry(ResourceNotFound, "The resource you requested does not exist."),
    "url_on_version": Entry(InvalidParameterValue, "Function URLs are not supported for function versions; use an "
                                                   "alias or $LATEST."),
    "url_exists": Entry(ResourceConflict, "Failed to create function url config for [functionArn = {arn}]. Error "
                                          "message:  FunctionUrlConfig exists for this Lambda function"),
    "url_auth_type": Entry(InvalidParameterValue, "1 validation error detected: Value '{value}' at 'authType' failed "
                                                  "to satisfy constraint: Member must satisfy enum value set: "
                                                  "[NONE, AWS_IAM]"),
    "url_invalid_invoke_mode": Entry(InvalidParameterValue, "Invalid invoke mode: {mode}"),
    "url_cors_credentials": Entry(InvalidParameterValue, "AllowCredentials cannot be true when AllowOrigins "
                                                         "contains '*'"),
    # the URL's data plane answers these itself, as {"Message": ...} documents with a 403
    "url_forbidden": Entry(AccessDenied, "Forbidden. For troubleshooting Function URL authorization issues, see: "
                                         "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"),
    "url_unsigned": Entry(AccessDenied, "Forbidden"),
    # -- Lambda Managed Instances -------------------------------------------------------------
    # overcast's wording for these (AWS's answers are not recorded): the codes are the model's
    "capacity_provider_not_found": Entry(ResourceNotFound, "Capacity provider not found: {arn}"),
    "capacity_provider_exists": Entry(ResourceConflict, "Capacity provider already exists: {arn}"),
    "capacity_provider_in_use": Entry(ResourceConflict, "Capacity provider {arn} is used by function versions. "
                                                        "Delete or update them first."),
    "scaling_min_over_max": Entry(InvalidParameterValue, "MinExecutionEnvironments ({low}) cannot be greater than "
                                                         "MaxExecutionEnvironments ({high})."),
    # -- durable executions -------------------------------------------------------------------
    # AWS publishes the error codes (botocore's model) but not every message; where a message is not
    # published, the wording is overcast's
    "execution_not_found": Entry(ResourceNotFound, "The resource you requested does not exist."),
    "callback_not_found": Entry(ResourceNotFound, "The resource you requested does not exist."),
    "function_not_durable": Entry(InvalidParameterValue, "The function {arn} does not have a DurableConfig. Durable "
                                                         "executions require a durable function."),
    "invalid_token": Entry(InvalidParameterValue, "Invalid checkpoint token."),
    "execution_closed": Entry(InvalidParameterValue, "The durable execution {arn} has already completed."),
    "callback_closed": Entry(InvalidParameterValue, "The callback {callback_id} has already completed."),
    "callback_timed_out": Entry(CallbackTimeout, "The callback {callback_id} has timed out."),
    "name_in_use": Entry(ExecutionAlreadyStarted, "A durable execution with the name {name} has already been "
                                                  "started for the function {arn} with a different payload."),
    "bad_update": Entry(InvalidParameterValue, "Invalid {action} action for {type} operation {id}."),
    "operation_closed": Entry(InvalidParameterValue, "Operation {id} has already completed."),
    "unknown_parent": Entry(InvalidParameterValue, "Parent operation {parent} does not exist."),
    "durable_on_update": Entry(InvalidParameterValue, "Durable execution can only be enabled when a function is "
                                                      "created."),
    "durable_timeout_required": Entry(InvalidParameterValue, "DurableConfig.ExecutionTimeout is required."),
    "not_paused": Entry(ResourceConflict, "The durable execution {arn} is not paused."),
    "not_running": Entry(ResourceConflict, "The durable execution {arn} is not running."),
    "still_running": Entry(ResourceConflict, "The durable execution {arn} is still running. Stop it before "
                                             "deleting it."),
    # -- concurrency --------------------------------------------------------------------------
    "unreserved_minimum": Entry(InvalidParameterValue, "Specified ReservedConcurrentExecutions for function "
                                                       "decreases account's UnreservedConcurrentExecution below its "
                                                       "minimum value of [{minimum}]."),
    "provisioned_over_unreserved": Entry(InvalidParameterValue, "Specified ConcurrentExecutions for function is "
                                                                "greater than account's unreserved concurrency "
                                                                "[{available}]."),
    "provisioned_over_reserved": Entry(InvalidParameterValue, "Requested Provisioned Concurrency should not be "
                                                              "greater than the reservedConcurrentExecution for "
                                                              "function"),
    "provisioned_on_latest": Entry(InvalidParameterValue, "Provisioned Concurrency Configs cannot be applied to "
                                                          "unpublished function versions."),
    "functions_only": Entry(InvalidParameterValue, "This operation is permitted on Lambda functions only. Aliases "
                                                   "and versions do not support this operation. Please specify either "
                                                   "a function name or an unqualified function ARN."),
    # -- sizes (checked in this order: the request, the zipped upload, the unzipped code) ------
    "request_too_large": Entry(RequestTooLarge, "Request must be smaller than {limit} bytes for the {operation} "
                                                "operation"),
    "zipped_too_large": Entry(RequestTooLarge, "Zipped size must be smaller than {limit} bytes"),
    "unzipped_too_large": Entry(InvalidParameterValue, "Unzipped size must be smaller than {limit} bytes"),
}


#: limit errors AWS answers without the `Type` member Lambda's other errors carry
UNTYPED = frozenset({"unreserved_minimum", "provisioned_over_unreserved", "provisioned_over_reserved"})


def error(key: str, **fields: object) -> LambdaError:
    """The catalogue's error `key` with its message filled in (raise it)."""
    entry = CATALOGUE[key]
    return entry.error(entry.template.format(**fields), fields={"Type": None} if key in UNTYPED else None)


def message(key: str, **fields: object) -> str:
    """Only the message of `key` (for error documents that are not exceptions)."""
    return CATALOGUE[key].template.format(**fields)


_ARCHITECTURE = re.compile(r"Value '([^']*)' at 'architectures\.1' failed to satisfy constraint: "
                           r"Member must satisfy enum value set: \[([^\]]*)\]")
_NOT_NULL = re.compile(r"Member must not be null(?!\.)")


def reword(text: str) -> str:
    """A constraint violation as Lambda words it: "Member must not be null." with its period, and
    the architectures list shown whole."""
    text = _ARCHITECTURE.sub(lambda m: f"Value '[{m.group(1)}]' at 'architectures' failed to satisfy constraint: "
                                       f"Member must satisfy constraint: [Member must satisfy enum value set: "
                                       f"[{m.group(2)}]]", text)
    return _NOT_NULL.sub("Member must not be null.", text)

"""Macros a template declares under `Transform`: AWS::Serverless-2016-10-31 (SAM), expanded with
AWS's own `aws-sam-translator`, and AWS::LanguageExtensions (its functions are evaluated by the
intrinsics module, so the transform itself only has to be accepted)."""

from __future__ import annotations

import copy
import logging
from typing import Any

from overcast.services.cloudformation.errors import CfnValidationError
from overcast.services.cloudformation.template import transforms

SAM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
KNOWN = (SAM, LANGUAGE_EXTENSIONS)


class _PolicyLoader:
    """SAM looks managed policy names up in IAM; its bundled map of AWS's policies is enough here."""

    def load(self) -> dict[str, str]:
        return {}


def expand(template: dict[str, Any], parameters: dict[str, Any], pseudo: dict[str, Any]) -> dict[str, Any]:
    """The template with its transforms applied (a copy; the original is kept for GetTemplate)."""
    names = transforms(template)
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise CfnValidationError(f"Template format error: Unsupported transform: {', '.join(unknown)}"
                                 if len(unknown) > 1 else
                                 f"No transform named {unknown[0]} found.")
    if SAM not in names:
        return template
    return _sam(template, parameters, pseudo)


def _sam(template: dict[str, Any], parameters: dict[str, Any], pseudo: dict[str, Any]) -> dict[str, Any]:
    logging.getLogger("samtranslator").setLevel(logging.WARNING)
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidResourceException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    values = {k: v for k, v in pseudo.items() if k not in ("AWS::NoValue", "AWS::NotificationARNs")}
    values.update(parameters)
    document = copy.deepcopy(template)
    # the translator asks a boto3 session for the region when it is not given one: give it the stack's
    session = boto3.session.Session(region_name=pseudo["AWS::Region"], aws_access_key_id="overcast",
                                    aws_secret_access_key="overcast")
    # The translator records metrics for AWS's own use and, when they are never published, warns
    # "There are unpublished metrics" as they are garbage-collected: publish them to nowhere.
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    try:
        to_py27_compatible_template(document, values)
        translator = Translator(None, Parser(), boto_session=session, metrics=metrics)
        out = undo_mark_unicode_str_in_template(translator.translate(
            document, parameter_values=values, get_managed_policy_map=_PolicyLoader().load))
    except InvalidDocumentException as exc:
        causes = " ".join(getattr(c, "message", str(c)) for c in exc.causes)
        raise CfnValidationError(f"Transform {SAM} failed with: {exc.message} {causes}".rstrip()) from None
    except InvalidResourceException as exc:
        raise CfnValidationError(f"Transform {SAM} failed with: {exc.message}") from None
    except Exception as exc:  # the translator's own failure: report it as AWS would, never a 500
        raise CfnValidationError(f"Transform {SAM} failed with: {exc}") from None
    finally:
        metrics.publish()
    result: dict[str, Any] = dict(out)
    remaining = [t for t in transforms(result) if t != SAM]
    if remaining:
        result["Transform"] = remaining if len(remaining) > 1 else remaining[0]
    else:
        result.pop("Transform", None)
    return result

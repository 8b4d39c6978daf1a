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
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidResourceException
    from samtranslator.translator.transform import transform

    values = {k: v for k, v in pseudo.items() if k not in ("AWS::NoValue", "AWS::NotificationARNs")}
    values.update(parameters)
    try:
        out = transform(copy.deepcopy(template), values, _PolicyLoader())  # type: ignore[arg-type]
    except InvalidDocumentException as exc:
        raise CfnValidationError(f"Transform {SAM} failed with: {exc.message}") from None
    except InvalidResourceException as exc:
        raise CfnValidationError(f"Transform {SAM} failed with: {exc.message}") from None
    except Exception as exc:  # the translator's own failure: report it as AWS would, never a 500
        raise CfnValidationError(f"Transform {SAM} failed with: {exc}") from None
    result: dict[str, Any] = dict(out)
    remaining = [t for t in transforms(result) if t != SAM]
    if remaining:
        result["Transform"] = remaining if len(remaining) > 1 else remaining[0]
    else:
        result.pop("Transform", None)
    return result

"""Lambda settings stored as documents (`lambda_docs`): code signing configs (kind `csc`, by id),
and per-function settings under the function's name as parent — its code signing config
(`function-csc`), recursion config (`recursion`), runtime management configs (`runtime`, by
qualifier), provisioned concurrency configs (`provisioned`, by qualifier) and published versions'
scaling configs (`scaling`, by qualifier); capacity providers (kind `capacity-provider`, by name). A function's settings
go when the function does."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.errors import LambdaError, ResourceNotFound
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import FunctionRef
from overcast.storage.documents import Documents

#: the unreserved concurrency AWS keeps for functions without reserved concurrency
MIN_UNRESERVED = 100

KINDS = ("function-csc", "recursion", "runtime", "provisioned", "scaling")


class SettingsStore(Documents):
    """One per platform (`platform.component(SettingsStore)`)."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform.db, "lambda_docs")
        self.functions = platform.component(FunctionStore)
        self.functions.on_change(self._function_changed)

    def _function_changed(self, account: str, region: str, name: str) -> None:
        try:
            self.functions.latest(FunctionRef(account, region, name, None))
        except Exception:  # deleted: its settings go with it
            self.db.execute("DELETE FROM lambda_docs WHERE account=? AND region=? AND parent=? AND kind IN "
                            f"({','.join('?' * len(KINDS))})", (account, region, name, *KINDS))

    def of_function(self, ref: FunctionRef, kind: str, id: str = "") -> dict[str, Any] | None:
        return self.get(ref.account, ref.region, kind, id, parent=ref.name)

    def put_function(self, ref: FunctionRef, kind: str, doc: dict[str, Any], id: str = "") -> None:
        with self.db.tx():
            self.put(ref.account, ref.region, kind, id, doc, parent=ref.name)

    def code_signing_config(self, account: str, region: str, arn: str) -> dict[str, Any]:
        """A code signing config by ARN, or AWS's not-found error."""
        doc = self.get(account, region, "csc", arn.rsplit(":", 1)[-1])
        if doc is None:
            raise ResourceNotFound("The code signing configuration cannot be found. Check that the provided "
                                   f"configuration is not deleted: {arn}.")
        return doc

    def attach_code_signing(self, ref: FunctionRef, arn: str) -> None:
        self.put_function(ref, "function-csc", {"CodeSigningConfigArn": arn, "FunctionArn": ref.arn})

    def recursion_allowed(self, ref: FunctionRef) -> bool:
        doc = self.of_function(ref, "recursion")
        return doc is not None and doc.get("RecursiveLoop") == "Allow"

    def delete_function(self, ref: FunctionRef, kind: str, id: str = "") -> bool:
        with self.db.tx():
            return self.delete(ref.account, ref.region, kind, id, parent=ref.name)


class ProvisionedConcurrencyConfigNotFound(LambdaError):
    code = "ProvisionedConcurrencyConfigNotFoundException"
    status = 404


class RecursiveInvocation(LambdaError):
    code = "RecursiveInvocationException"
    status = 400

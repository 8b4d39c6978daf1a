"""EventBridge connections and API destinations (the operations; deliveries are in `destinations.py`).

A connection holds the authorization of HTTP targets: Basic, API key, or OAuth client credentials
([AWS](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection.html)). AWS keeps
the credentials in a Secrets Manager secret whose ARN it reports (`SecretArn`); overcast keeps them
in the connection's own row and reports the same ARN shape. Describe never returns a password, an
API key value, a client secret or a secret HTTP parameter's value, as on AWS.
"""

from __future__ import annotations

import uuid
from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.services.events import connections
from overcast.services.events.errors import ResourceAlreadyExists, ResourceNotFound, Validation
from overcast.services.events.store import page

CONNECTIONS = "events_connections"
DESTINATIONS = "events_api_destinations"
#: AWS's default InvocationRateLimitPerSecond of an API destination
DEFAULT_RATE = 300
AUTH_MEMBERS = {"BASIC": "BasicAuthParameters", "API_KEY": "ApiKeyAuthParameters",
                "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters"}
CONNECTION_SUMMARY = ("ConnectionArn", "Name", "ConnectionState", "StateReason", "AuthorizationType",
                      "CreationTime", "LastModifiedTime", "LastAuthorizedTime")
CONNECTION_CHANGE = ("ConnectionArn", "ConnectionState", "CreationTime", "LastModifiedTime", "LastAuthorizedTime")
DESTINATION_SUMMARY = ("ApiDestinationArn", "Name", "ApiDestinationState", "ConnectionArn", "InvocationEndpoint",
                       "HttpMethod", "InvocationRateLimitPerSecond", "CreationTime", "LastModifiedTime")


def _pick(doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: doc[k] for k in keys if doc.get(k) is not None}


def _suffix() -> str:
    return uuid.uuid4().hex[:6]


def connection_not_found(name: str) -> ResourceNotFound:
    return ResourceNotFound(f"Failed to describe the connection(s). Connection '{name}' does not exist.")


def destination_not_found(name: str) -> ResourceNotFound:
    return ResourceNotFound(f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist.")


def public_auth(auth: dict[str, Any]) -> dict[str, Any]:
    """AuthParameters as DescribeConnection shows them: without any secret value."""
    shown: dict[str, Any] = {}
    if "BasicAuthParameters" in auth:
        shown["BasicAuthParameters"] = {"Username": auth["BasicAuthParameters"].get("Username")}
    if "ApiKeyAuthParameters" in auth:
        shown["ApiKeyAuthParameters"] = {"ApiKeyName": auth["ApiKeyAuthParameters"].get("ApiKeyName")}
    if "OAuthParameters" in auth:
        oauth = dict(auth["OAuthParameters"])
        oauth["ClientParameters"] = {"ClientID": (oauth.get("ClientParameters") or {}).get("ClientID")}
        if oauth.get("OAuthHttpParameters"):
            oauth["OAuthHttpParameters"] = _public_http(oauth["OAuthHttpParameters"])
        shown["OAuthParameters"] = oauth
    if auth.get("InvocationHttpParameters"):
        shown["InvocationHttpParameters"] = _public_http(auth["InvocationHttpParameters"])
    return shown


def _public_http(params: dict[str, Any]) -> dict[str, Any]:
    return {kind: [{k: v for k, v in p.items() if not (k == "Value" and p.get("IsValueSecret"))} for p in values]
            for kind, values in params.items()}


def _check_auth(kind: str, auth: dict[str, Any] | None) -> None:
    member = AUTH_MEMBERS[kind]
    if not auth or member not in auth:
        raise Validation(f"Parameter(s) {member} must be specified for AuthorizationType {kind}.")
    others = [m for m in AUTH_MEMBERS.values() if m != member and m in auth]
    if others:
        raise Validation(f"Parameter(s) {others[0]} must not be specified for AuthorizationType {kind}.")


class ConnectionOperations:
    """Mixed into `EventsApi`: uses its `store`, `clock` and `platform`."""

    store: Any
    clock: Any
    platform: Any

    # -- connections --------------------------------------------------------------------------

    def _connection(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.doc(CONNECTIONS, ctx.account, ctx.region, name)
        if doc is None:
            raise connection_not_found(name)
        return doc  # type: ignore[no-any-return]

    def create_connection(self, ctx: RequestContext, name: str, authorization_type: str,
                          auth_parameters: dict[str, Any], description: str | None = None,
                          invocation_connectivity_parameters: dict[str, Any] | None = None,
                          kms_key_identifier: str | None = None) -> dict[str, Any]:
        if self.store.doc(CONNECTIONS, ctx.account, ctx.region, name) is not None:
            raise ResourceAlreadyExists(f"Connection {name} already exists.")
        _check_auth(authorization_type, auth_parameters)
        now = self.clock.now()
        key = f"{name}/{uuid.uuid4()}"
        doc = {"Name": name, "ConnectionArn": arns.build("events", ctx.region, ctx.account, f"connection/{key}"),
               "SecretArn": arns.build("secretsmanager", ctx.region, ctx.account,
                                       f"secret:events!connection/{key}-{_suffix()}"),
               "Description": description, "AuthorizationType": authorization_type,
               "_auth": auth_parameters, "ConnectionState": "AUTHORIZED",
               "InvocationConnectivityParameters": invocation_connectivity_parameters,
               "KmsKeyIdentifier": kms_key_identifier, "CreationTime": now, "LastModifiedTime": now,
               "LastAuthorizedTime": now}
        self._authorize(doc)
        self.store.put_doc(CONNECTIONS, ctx.account, ctx.region, name, doc)
        return _pick(doc, ("ConnectionArn", "ConnectionState", "CreationTime", "LastModifiedTime"))

    def _authorize(self, doc: dict[str, Any]) -> None:
        """AWS: Basic and API-key connections are AUTHORIZED at once; OAuth ones are AUTHORIZING until
        the authorization endpoint has been called (connections.py settles them)."""
        doc.update(_token=None, _due=None)
        doc.pop("StateReason", None)
        if doc["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS":
            connections.begin(self.platform, doc, "AUTHORIZING")
            self.platform.signals.notify(connections.SIGNAL)
        else:
            doc.update(ConnectionState="AUTHORIZED", LastAuthorizedTime=doc["LastModifiedTime"])

    def describe_connection(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._connection(ctx, name)
        shown = {k: v for k, v in doc.items() if not k.startswith("_") and v is not None}
        return {**shown, "AuthParameters": public_auth(doc["_auth"])}

    def list_connections(self, ctx: RequestContext, name_prefix: str | None = None,
                         connection_state: str | None = None, next_token: str | None = None,
                         limit: int | None = None) -> dict[str, Any]:
        found = [_pick(c, CONNECTION_SUMMARY) for c in self.store.docs(CONNECTIONS, ctx.account, ctx.region)
                 if c["Name"].startswith(name_prefix or "") and connection_state in (None, c["ConnectionState"])]
        chunk, token = page(found, next_token, limit)
        return {"Connections": chunk, **({"NextToken": token} if token else {})}

    def update_connection(self, ctx: RequestContext, name: str, description: str | None = None,
                          authorization_type: str | None = None, auth_parameters: dict[str, Any] | None = None,
                          invocation_connectivity_parameters: dict[str, Any] | None = None,
                          kms_key_identifier: str | None = None) -> dict[str, Any]:
        doc = self._connection(ctx, name)
        if authorization_type is not None and authorization_type != doc["AuthorizationType"]:
            _check_auth(authorization_type, auth_parameters)
            doc["AuthorizationType"], doc["_auth"] = authorization_type, {}
        for member, value in (auth_parameters or {}).items():  # a partial update merges into what is kept
            kept = doc["_auth"].get(member)
            doc["_auth"][member] = {**kept, **value} if isinstance(kept, dict) and isinstance(value, dict) else value
        for key, value in (("Description", description), ("KmsKeyIdentifier", kms_key_identifier),
                           ("InvocationConnectivityParameters", invocation_connectivity_parameters)):
            if value is not None:
                doc[key] = value
        doc["LastModifiedTime"] = self.clock.now()
        self._authorize(doc)
        self.store.put_doc(CONNECTIONS, ctx.account, ctx.region, name, doc)
        return _pick(doc, CONNECTION_CHANGE)

    def deauthorize_connection(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._connection(ctx, name)
        doc.update(LastModifiedTime=self.clock.now(), _token=None)
        connections.begin(self.platform, doc, "DEAUTHORIZING")
        self.store.put_doc(CONNECTIONS, ctx.account, ctx.region, name, doc)
        self.platform.signals.notify(connections.SIGNAL)
        return _pick(doc, CONNECTION_CHANGE)

    def delete_connection(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._connection(ctx, name)
        self.store.delete_doc(CONNECTIONS, ctx.account, ctx.region, name)
        return {**_pick(doc, CONNECTION_CHANGE), "ConnectionState": "DELETING"}

    # -- API destinations ---------------------------------------------------------------------

    def _destination(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.doc(DESTINATIONS, ctx.account, ctx.region, name)
        if doc is None:
            raise destination_not_found(name)
        return doc  # type: ignore[no-any-return]

    def _connection_by_arn(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        name = arn.split(":connection/", 1)[-1].split("/", 1)[0]
        doc = self.store.doc(CONNECTIONS, ctx.account, ctx.region, name)
        if doc is None or doc["ConnectionArn"] != arn:
            raise ResourceNotFound(f"Connection '{name}' does not exist.")
        return doc  # type: ignore[no-any-return]

    def create_api_destination(self, ctx: RequestContext, name: str, connection_arn: str, invocation_endpoint: str,
                               http_method: str, description: str | None = None,
                               invocation_rate_limit_per_second: int | None = None) -> dict[str, Any]:
        if self.store.doc(DESTINATIONS, ctx.account, ctx.region, name) is not None:
            raise ResourceAlreadyExists(f"An api-destination {name} already exists.")
        self._connection_by_arn(ctx, connection_arn)
        now = self.clock.now()
        doc = {"Name": name, "ApiDestinationArn": arns.build("events", ctx.region, ctx.account,
                                                             f"api-destination/{name}/{uuid.uuid4()}"),
               "Description": description, "ApiDestinationState": "ACTIVE", "ConnectionArn": connection_arn,
               "InvocationEndpoint": invocation_endpoint, "HttpMethod": http_method,
               "InvocationRateLimitPerSecond": invocation_rate_limit_per_second or DEFAULT_RATE,
               "CreationTime": now, "LastModifiedTime": now}
        self.store.put_doc(DESTINATIONS, ctx.account, ctx.region, name, doc)
        return _pick(self._with_state(ctx, doc), ("ApiDestinationArn", "ApiDestinationState", "CreationTime",
                                                  "LastModifiedTime"))

    def _with_state(self, ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
        """The destination with AWS's state: ACTIVE while its connection is AUTHORIZED, else INACTIVE."""
        name = doc["ConnectionArn"].split(":connection/", 1)[-1].split("/", 1)[0]
        connection = self.store.doc(CONNECTIONS, ctx.account, ctx.region, name)
        return {**doc, "ApiDestinationState": connections.destination_state(connection)}

    def describe_api_destination(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        return {k: v for k, v in self._with_state(ctx, self._destination(ctx, name)).items() if v is not None}

    def list_api_destinations(self, ctx: RequestContext, name_prefix: str | None = None,
                              connection_arn: str | None = None, next_token: str | None = None,
                              limit: int | None = None) -> dict[str, Any]:
        found = [_pick(self._with_state(ctx, d), DESTINATION_SUMMARY)
                 for d in self.store.docs(DESTINATIONS, ctx.account, ctx.region)
                 if d["Name"].startswith(name_prefix or "") and connection_arn in (None, d["ConnectionArn"])]
        chunk, token = page(found, next_token, limit)
        return {"ApiDestinations": chunk, **({"NextToken": token} if token else {})}

    def update_api_destination(self, ctx: RequestContext, name: str, description: str | None = None,
                               connection_arn: str | None = None, invocation_endpoint: str | None = None,
                               http_method: str | None = None,
                               invocation_rate_limit_per_second: int | None = None) -> dict[str, Any]:
        doc = self._destination(ctx, name)
        if connection_arn is not None:
            self._connection_by_arn(ctx, connection_arn)
        for key, value in (("Description", description), ("ConnectionArn", connection_arn),
                           ("InvocationEndpoint", invocation_endpoint), ("HttpMethod", http_method),
                           ("InvocationRateLimitPerSecond", invocation_rate_limit_per_second)):
            if value is not None:
                doc[key] = value
        doc["LastModifiedTime"] = self.clock.now()
        self.store.put_doc(DESTINATIONS, ctx.account, ctx.region, name, doc)
        return _pick(self._with_state(ctx, doc), ("ApiDestinationArn", "ApiDestinationState", "CreationTime",
                                                  "LastModifiedTime"))

    def delete_api_destination(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        self._destination(ctx, name)
        self.store.delete_doc(DESTINATIONS, ctx.account, ctx.region, name)
        return {}

"""Versions and aliases ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html)):
a version (`<machine-arn>:<n>`) is an immutable copy of the definition and role; an alias
(`<machine-arn>:<name>`) routes executions to one or two versions by weight. Both live in the
machine's stored document (`_versions`, `_aliases`), so they go with it."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.stepfunctions.errors import ResourceNotFound, Validation
from overcast.services.stepfunctions.models import Machine, Machines
from overcast.services.stepfunctions.paging import page
from overcast.services.stepfunctions.versions import split


class VersionOperations:
    """Mixed into `StepFunctionsApi`."""

    platform: Any
    db: Any
    clock: Any
    machines: Machines

    def machine(self, arn: str) -> Machine:
        raise NotImplementedError

    def publish(self, machine: Machine, description: str | None) -> dict[str, Any]:
        """Publish the machine's current definition as its next version (inside a transaction);
        the latest version again when nothing changed since, as AWS does."""
        versions = machine.doc.setdefault("_versions", {})
        latest = max((int(n) for n in versions), default=0)
        if latest and versions[str(latest)]["revisionId"] == machine.doc["revisionId"]:
            number = latest
        else:
            number = machine.doc.get("_next_version", latest + 1)
            machine.doc["_next_version"] = number + 1
            versions[str(number)] = {"definition": machine.doc["definition"], "roleArn": machine.doc["roleArn"],
                                     "revisionId": machine.doc["revisionId"], "creationDate": self.clock.now(),
                                     "description": description or ""}
            self.machines.save(machine)
        return {"creationDate": versions[str(number)]["creationDate"],
                "stateMachineVersionArn": f"{machine.arn}:{number}"}

    def publish_state_machine_version(self, ctx: RequestContext, state_machine_arn: str,
                                      revision_id: str | None = None, description: str | None = None) -> dict[str, Any]:
        with self.db.tx():
            machine = self.machine(state_machine_arn)
            if revision_id and revision_id != machine.doc["revisionId"]:
                raise Validation(f"The revision ID {revision_id} does not match the state machine's current "
                                 f"revision {machine.doc['revisionId']}")
            return self.publish(machine, description)

    def list_state_machine_versions(self, ctx: RequestContext, state_machine_arn: str, next_token: str | None = None,
                                    max_results: int | None = None) -> dict[str, Any]:
        machine = self.machine(state_machine_arn)
        versions = machine.doc.get("_versions", {})
        items = [{"stateMachineVersionArn": f"{machine.arn}:{n}", "creationDate": versions[n]["creationDate"]}
                 for n in sorted(versions, key=int, reverse=True)]
        return page(items, "stateMachineVersions", max_results, next_token)

    def delete_state_machine_version(self, ctx: RequestContext, state_machine_version_arn: str) -> dict[str, Any]:
        base, number = split(state_machine_version_arn)
        with self.db.tx():
            machine = self.machines.find(base)
            if machine is None or number is None:
                return {}
            used = [name for name, alias in machine.doc.get("_aliases", {}).items()
                    if any(r["stateMachineVersionArn"] == state_machine_version_arn
                           for r in alias["routingConfiguration"])]
            if used:
                from overcast.services.stepfunctions.errors import ClientError

                raise ClientError(f"Version {state_machine_version_arn} is referenced by the alias {used[0]}",
                                  code="ConflictException")
            machine.doc.get("_versions", {}).pop(number, None)
            self.machines.save(machine)
        return {}

    def _routes(self, machine: Machine, routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _check_routes(routes)
        for route in routes:
            base, number = split(route["stateMachineVersionArn"])
            if base != machine.arn or number not in machine.doc.get("_versions", {}):
                raise ResourceNotFound(f"Resource not found: '{route['stateMachineVersionArn']}'")
        return routes

    def create_state_machine_alias(self, ctx: RequestContext, name: str, routing_configuration: list[dict[str, Any]],
                                   description: str | None = None) -> dict[str, Any]:
        _check_routes(routing_configuration)
        base = split(routing_configuration[0]["stateMachineVersionArn"])[0]
        with self.db.tx():
            machine = self.machine(base)
            routes = self._routes(machine, routing_configuration)
            now = self.clock.now()
            machine.doc.setdefault("_aliases", {})[name] = {"routingConfiguration": routes,
                                                            "description": description or "",
                                                            "creationDate": now, "updateDate": now}
            self.machines.save(machine)
        return {"stateMachineAliasArn": f"{machine.arn}:{name}", "creationDate": now}

    def _alias(self, arn: str) -> tuple[Machine, str, dict[str, Any]]:
        base, name = split(arn)
        machine = self.machines.find(base)
        alias = None if machine is None or name is None else machine.doc.get("_aliases", {}).get(name)
        if machine is None or alias is None or name is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return machine, name, alias

    def describe_state_machine_alias(self, ctx: RequestContext, state_machine_alias_arn: str) -> dict[str, Any]:
        _, name, alias = self._alias(state_machine_alias_arn)
        return {"stateMachineAliasArn": state_machine_alias_arn, "name": name, **alias}

    def update_state_machine_alias(self, ctx: RequestContext, state_machine_alias_arn: str,
                                   description: str | None = None,
                                   routing_configuration: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        if description is None and routing_configuration is None:
            raise Validation("Update request must specify at least one of description or routingConfiguration")
        with self.db.tx():
            machine, _, alias = self._alias(state_machine_alias_arn)
            if routing_configuration is not None:
                alias["routingConfiguration"] = self._routes(machine, routing_configuration)
            if description is not None:
                alias["description"] = description
            alias["updateDate"] = self.clock.now()
            self.machines.save(machine)
        return {"updateDate": alias["updateDate"]}

    def delete_state_machine_alias(self, ctx: RequestContext, state_machine_alias_arn: str) -> dict[str, Any]:
        with self.db.tx():
            machine, name, _ = self._alias(state_machine_alias_arn)
            machine.doc["_aliases"].pop(name, None)
            self.machines.save(machine)
        return {}

    def list_state_machine_aliases(self, ctx: RequestContext, state_machine_arn: str, next_token: str | None = None,
                                   max_results: int | None = None) -> dict[str, Any]:
        machine = self.machine(state_machine_arn)
        items = [{"stateMachineAliasArn": f"{machine.arn}:{name}", "creationDate": alias["creationDate"]}
                 for name, alias in sorted(machine.doc.get("_aliases", {}).items())]
        return page(items, "stateMachineAliases", max_results, next_token)


def _check_routes(routes: list[dict[str, Any]]) -> None:
    """AWS: the versions of an alias belong to one state machine and their weights add up to 100."""
    if len({split(r["stateMachineVersionArn"])[0] for r in routes}) > 1:
        raise Validation("Both stateMachineVersionArn values must belong to the same state machine")
    if sum(int(r["weight"]) for r in routes) != 100:
        raise Validation("The sum of the weights in the routing configuration must be equal to 100")

"""A table's definition — key schema, secondary indexes, stream, TTL, billing — and its description
in DynamoDB's TableDescription shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from overcast.services.dynamodb.keys import KeySchema


@dataclass(frozen=True)
class IndexDef:
    """A global or local secondary index. `id` keys its entries in storage."""

    name: str
    id: int
    kind: str  # "GSI" or "LSI"
    key: KeySchema
    projection: dict[str, Any]
    throughput: dict[str, int] | None = None

    @property
    def projection_type(self) -> str:
        return str(self.projection.get("ProjectionType", "ALL"))

    def projected(self, table_key: KeySchema) -> frozenset[str] | None:
        """Attribute names the index holds; None when it projects ALL."""
        if self.projection_type == "ALL":
            return None
        names = set(table_key.names) | set(self.key.names)
        if self.projection_type == "INCLUDE":
            names.update(self.projection.get("NonKeyAttributes", []))
        return frozenset(names)

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["key"] = asdict(self.key)
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> IndexDef:
        return cls(**{**doc, "key": KeySchema.from_doc(doc["key"])})


@dataclass(frozen=True)
class StreamState:
    enabled: bool
    view_type: str | None = None
    arn: str | None = None
    label: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class TableDef:
    id: int
    account: str
    region: str
    name: str
    key: KeySchema
    attributes: dict[str, str]
    created_at: float
    table_uuid: str
    billing_mode: str = "PROVISIONED"
    throughput: dict[str, int] = field(default_factory=dict)
    indexes: dict[str, IndexDef] = field(default_factory=dict)
    stream: StreamState = StreamState(False)
    ttl_attribute: str | None = None
    ttl_enabled: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    deletion_protection: bool = False
    table_class: str | None = None
    billing_changed_at: float | None = None
    #: server-side encryption with a KMS key: {"SSEType": "KMS", "KMSMasterKeyArn": ...}; None: AWS owned key
    sse: dict[str, str] | None = None
    #: Kinesis streaming destinations: stream ARN → {"status": ACTIVE|DISABLED, "precision": MILLISECOND|MICROSECOND}
    kinesis_destinations: dict[str, dict[str, str]] = field(default_factory=dict)
    #: global tables: the regions holding a replica (this one included), and the version of global tables
    replicas: list[str] = field(default_factory=list)
    global_version: str | None = None
    #: point-in-time recovery: when it was (last) enabled; None while it is off. Item changes are
    #: then kept as history (services/dynamodb/pitr.py)
    pitr_since: float | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    def index(self, name: str) -> IndexDef | None:
        return self.indexes.get(name)

    def with_(self, **changes: Any) -> TableDef:
        return replace(self, **changes)

    # -- storage ------------------------------------------------------------------------------

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["key"] = asdict(self.key)
        doc["indexes"] = {n: i.to_doc() for n, i in self.indexes.items()}
        doc["stream"] = asdict(self.stream)
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TableDef:
        return cls(**{
            **doc,
            "key": KeySchema.from_doc(doc["key"]),
            "indexes": {n: IndexDef.from_doc(i) for n, i in doc["indexes"].items()},
            "stream": StreamState(**doc["stream"]),
        })

    # -- description --------------------------------------------------------------------------

    def describe(self, item_count: int, size_bytes: int, index_counts: dict[str, tuple[int, int]],
                 status: str = "ACTIVE") -> dict[str, Any]:
        """DynamoDB's TableDescription."""
        desc: dict[str, Any] = {
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in self.attributes.items()],
            "TableName": self.name,
            "KeySchema": self.key.to_wire(),
            "TableStatus": status,
            "CreationDateTime": self.created_at,
            "ProvisionedThroughput": _throughput(self.throughput),
            "TableSizeBytes": size_bytes,
            "ItemCount": item_count,
            "TableArn": self.arn,
            "TableId": self.table_uuid,
            "DeletionProtectionEnabled": self.deletion_protection,
        }
        if self.billing_mode == "PAY_PER_REQUEST" or self.billing_changed_at is not None:
            summary: dict[str, Any] = {"BillingMode": self.billing_mode}
            if self.billing_mode == "PAY_PER_REQUEST":
                summary["LastUpdateToPayPerRequestDateTime"] = self.billing_changed_at or self.created_at
            desc["BillingModeSummary"] = summary
        if self.table_class:
            desc["TableClassSummary"] = {"TableClass": self.table_class}
        if self.sse:
            desc["SSEDescription"] = {"Status": "ENABLED", **self.sse}
        desc["WarmThroughput"] = self._warm(status)
        if self.global_version == "2019.11.21":
            desc["GlobalTableVersion"] = self.global_version
            desc["Replicas"] = [{"RegionName": r, "ReplicaStatus": "ACTIVE"} for r in self.replicas if r != self.region]
        lsis = [self._describe_index(i, index_counts) for i in self.indexes.values() if i.kind == "LSI"]
        gsis = [self._describe_index(i, index_counts) for i in self.indexes.values() if i.kind == "GSI"]
        if lsis:
            desc["LocalSecondaryIndexes"] = lsis
        if gsis:
            desc["GlobalSecondaryIndexes"] = gsis
        if self.stream.enabled:
            desc["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.stream.view_type}
        if self.stream.arn:
            desc["LatestStreamLabel"] = self.stream.label
            desc["LatestStreamArn"] = self.stream.arn
        return desc

    def _warm(self, status: str, throughput: dict[str, int] | None = None) -> dict[str, Any]:
        """WarmThroughput: an on-demand table starts warm for 12,000 reads and 4,000 writes a second,
        a provisioned one for its provisioned capacity; UPDATING while the table is created."""
        if self.billing_mode == "PAY_PER_REQUEST":
            reads, writes = 12000, 4000
        else:
            source = self.throughput if throughput is None else throughput
            reads, writes = source.get("ReadCapacityUnits", 0), source.get("WriteCapacityUnits", 0)
        return {"ReadUnitsPerSecond": reads, "WriteUnitsPerSecond": writes,
                "Status": "UPDATING" if status == "CREATING" else "ACTIVE"}

    def _describe_index(self, index: IndexDef, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
        count, size = counts.get(index.name, (0, 0))
        desc: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": index.key.to_wire(),
            "Projection": index.projection,
            "IndexSizeBytes": size,
            "ItemCount": count,
            "IndexArn": f"{self.arn}/index/{index.name}",
        }
        if index.kind == "GSI":
            desc["IndexStatus"] = "ACTIVE"
            desc["ProvisionedThroughput"] = _throughput(index.throughput or {})
            desc["WarmThroughput"] = self._warm("ACTIVE", index.throughput or {})
        return desc


def _throughput(throughput: dict[str, int]) -> dict[str, int]:
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 0),
    }

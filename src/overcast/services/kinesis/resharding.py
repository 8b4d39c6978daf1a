"""SplitShard, MergeShards and UpdateShardCount.

A reshard closes its parent shards (each gets an EndingSequenceNumber above every record it holds)
and opens children that cover the same hash keys, with ParentShardId/AdjacentParentShardId pointing
back; children's sequence numbers all follow their parents', so a reader that finishes a parent
before starting its children keeps per-key order. The stream shows UPDATING for a moment, as on AWS.
UpdateShardCount (UNIFORM_SCALING) is done the way AWS describes it: splits where a target boundary
falls inside a shard, then merges of the pieces inside each target range (short-lived shards
included).
"""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.kinesis import keys
from overcast.services.kinesis.errors import (
    InvalidArgument,
    LimitExceeded,
    ResourceInUse,
    Validation,
    shard_not_found_for_resharding,
)
from overcast.services.kinesis.streams import Shard, Stream, StreamStore

#: Open shards an account may hold in a region across provisioned streams (AWS's default quota in
#: the large regions).
SHARD_LIMIT = 500


class Resharder:
    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.streams = platform.component(StreamStore)

    # -- operations ---------------------------------------------------------------------------

    def split(self, stream: Stream, shard_to_split: str, new_starting_hash_key: str) -> None:
        self._provisioned(stream, "SplitShard")
        shard = self._open_shard(stream, shard_to_split, "splitting")
        self.check_limit(stream, 1)
        new_key = int(new_starting_hash_key)
        if not shard.start_hash + 1 < new_key < shard.end_hash:
            raise InvalidArgument(
                f"NewStartingHashKey {new_starting_hash_key} used in SplitShard() on shard {shard.shard_id} in stream "
                f"{stream.name} under account {stream.account} is not both greater than one plus the shard's "
                f"StartingHashKey {shard.start_hash} and less than the shard's EndingHashKey {shard.end_hash}."
            )
        stream.require_active()
        with self.db.tx():
            self._split(shard, new_key)
            self.streams.transition(stream, "UPDATING")

    def merge(self, stream: Stream, shard_to_merge: str, adjacent_shard_to_merge: str) -> None:
        self._provisioned(stream, "MergeShards")
        first = self._open_shard(stream, shard_to_merge, "merging")
        second = self._open_shard(stream, adjacent_shard_to_merge, "merging")
        if not (first.end_hash + 1 == second.start_hash or second.end_hash + 1 == first.start_hash):
            raise InvalidArgument(
                f"Shards {first.shard_id} and {second.shard_id} in stream {stream.name} under account "
                f"{stream.account} are not an adjacent pair of shards eligible for merging"
            )
        stream.require_active()
        with self.db.tx():
            self._merge(first, second)
            self.streams.transition(stream, "UPDATING")

    def update_shard_count(self, stream: Stream, target: int) -> int:
        """Reshard to `target` uniform shards; returns the open shard count before."""
        self._provisioned(stream, "UpdateShardCount")
        stream.require_active()
        current = len(self.streams.open_shards(stream))
        if target > current * 2:
            raise LimitExceeded(
                "UpdateShardCount cannot scale up over double your current open shard count. "
                f"Current open shard count: {current}, Target shard count: {target}"
            )
        if target * 2 < current:
            raise LimitExceeded(
                "UpdateShardCount cannot scale down below half your current open shard count. "
                f"Current open shard count: {current}, Target shard count: {target}"
            )
        self.check_limit(stream, target - current)
        if target != current:
            with self.db.tx():
                self._rescale(stream, target)
                self.streams.transition(stream, "UPDATING")
        return current

    def check_limit(self, stream: Stream, extra: int) -> None:
        if stream.mode != "PROVISIONED" or extra <= 0:
            return
        total = self.streams.open_shard_total(stream.account, stream.region)
        if total + extra > SHARD_LIMIT:
            raise LimitExceeded(
                f"This request would exceed the shard limit for the account {stream.account} in {stream.region}. "
                f"Current shard count for the account: {total}. Limit: {SHARD_LIMIT}. Number of additional shards "
                f"that would have resulted from this request: {extra}. Refer to the AWS Service Limits page "
                "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and "
                "how to request higher limits."
            )

    # -- checks -------------------------------------------------------------------------------

    @staticmethod
    def _provisioned(stream: Stream, operation: str) -> None:
        # AWS: "This API is only supported for the data streams with the provisioned capacity mode."
        if stream.mode != "PROVISIONED":
            raise Validation(f"{operation} is not supported for stream {stream.name} under account "
                             f"{stream.account} because it is in ON_DEMAND mode.")

    def _open_shard(self, stream: Stream, shard_id: str, verb: str) -> Shard:
        index = keys.shard_index(shard_id)
        shard = None
        if index is not None:
            shard = next((s for s in self.streams.shards(stream) if s.index == index), None)
        if shard is None:
            raise shard_not_found_for_resharding(shard_id, stream.name, stream.account)
        if not shard.is_open:
            raise ResourceInUse(
                f"Shard {shard.shard_id} in stream {stream.name} under account {stream.account} has already been "
                f"merged or split, and thus is not eligible for {verb}."
            )
        return shard

    # -- mechanics (inside a transaction) -----------------------------------------------------

    def _reserve(self, stream_id: int) -> int:
        """Take one sequence counter: parents end at it, children start after it."""
        self.db.execute("UPDATE kinesis_streams SET last_seq = last_seq + 1 WHERE id=?", (stream_id,))
        return int(self.db.scalar("SELECT last_seq FROM kinesis_streams WHERE id=?", (stream_id,)))

    def _next_index(self, stream_id: int) -> int:
        self.db.execute("UPDATE kinesis_streams SET next_shard = next_shard + 1 WHERE id=?", (stream_id,))
        return int(self.db.scalar("SELECT next_shard FROM kinesis_streams WHERE id=?", (stream_id,))) - 1

    def _split(self, shard: Shard, new_key: int) -> tuple[Shard, Shard]:
        end = self._reserve(shard.stream_id)
        self.streams.close_shard(shard, end)
        low = self._child(shard.stream_id, shard.start_hash, new_key - 1, end + 1, shard.index)
        high = self._child(shard.stream_id, new_key, shard.end_hash, end + 1, shard.index)
        return low, high

    def _merge(self, first: Shard, second: Shard) -> Shard:
        end = self._reserve(first.stream_id)
        self.streams.close_shard(first, end)
        self.streams.close_shard(second, end)
        start_hash = min(first.start_hash, second.start_hash)
        end_hash = max(first.end_hash, second.end_hash)
        return self._child(first.stream_id, start_hash, end_hash, end + 1, first.index, second.index)

    def _child(self, stream_id: int, start_hash: int, end_hash: int, start_seq: int, parent: int,
               adjacent_parent: int | None = None) -> Shard:
        index = self._next_index(stream_id)
        self.streams.add_shard(stream_id, index, start_hash, end_hash, start_seq=start_seq, parent=parent,
                               adjacent_parent=adjacent_parent)
        return Shard(stream_id, index, parent, adjacent_parent, start_hash, end_hash, start_seq, None, 0.0, None)

    def _rescale(self, stream: Stream, target: int) -> None:
        pieces = sorted(self.streams.open_shards(stream), key=lambda s: s.start_hash)
        ranges = keys.uniform_ranges(target)
        for start, _ in ranges[1:]:
            for i, piece in enumerate(pieces):
                if piece.start_hash < start <= piece.end_hash:
                    pieces[i:i + 1] = list(self._split(piece, start))
                    break
        for start, end in ranges:
            inside = [p for p in pieces if start <= p.start_hash and p.end_hash <= end]
            merged = inside[0]
            for piece in inside[1:]:
                merged = self._merge(merged, piece)

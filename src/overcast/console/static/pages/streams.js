// Streams: Kinesis data streams and DynamoDB streams, with their shards.
import { h, read, table, when } from "../lib.js";

export async function render(main) {
  const { StreamNames = [] } = await read("kinesis", "ListStreams", {});
  const kinesis = await Promise.all(StreamNames.map(async (n) =>
    (await read("kinesis", "DescribeStreamSummary", { StreamName: n })).StreamDescriptionSummary));
  const { Streams = [] } = await read("dynamodbstreams", "ListStreams", {});
  const ddb = await Promise.all(Streams.map(async (s) =>
    (await read("dynamodbstreams", "DescribeStream", { StreamArn: s.StreamArn })).StreamDescription));
  main.replaceChildren(h("h1", {}, "Streams"),
    h("h2", {}, "Kinesis data streams"),
    table(`${kinesis.length} streams`, [
      ["Name", (s) => s.StreamName], ["Status", (s) => s.StreamStatus],
      ["Mode", (s) => s.StreamModeDetails?.StreamMode || ""], ["Open shards", (s) => s.OpenShardCount, { num: true }],
      ["Retention (h)", (s) => s.RetentionPeriodHours, { num: true }], ["Created", (s) => when(s.StreamCreationTimestamp)],
      ["Consumers", (s) => s.ConsumerCount, { num: true }],
    ], kinesis, "No Kinesis streams."),
    h("h2", {}, "DynamoDB streams"),
    table(`${ddb.length} streams`, [
      ["Table", (s) => s.TableName], ["View type", (s) => s.StreamViewType], ["Status", (s) => s.StreamStatus],
      ["Shards", (s) => (s.Shards || []).length, { num: true }], ["ARN", (s) => h("code", {}, s.StreamArn)],
    ], ddb, "No DynamoDB streams."));
}

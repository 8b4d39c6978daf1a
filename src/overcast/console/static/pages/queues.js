// Queues: depths, in flight and dead-letter queues; one queue's attributes, a peek at its messages,
// a message sent, and a dead-letter queue's messages redriven to their source (StartMessageMoveTask).
import { awsJson, errorBox, h, kv, link, read, table, view, when } from "../lib.js";

const sqs = (operation, params) => awsJson("sqs", "AmazonSQS", operation, params);

export async function render(main, [name]) {
  return name ? detail(main, name) : list(main);
}

function dlqOf(queue) {
  try { return JSON.parse(queue.Attributes.RedrivePolicy || "{}").deadLetterTargetArn; } catch { return undefined; }
}

async function list(main) {
  const body = h("div");
  main.replaceChildren(h("h1", {}, "Queues"), body);
  const refresh = async () => {
    const { Queues } = await view("queues");
    body.replaceChildren(table(`${Queues.length} queues`, [
      ["Name", (q) => link(`#/queues/${encodeURIComponent(q.Name)}`, q.Name)],
      ["Available", (q) => q.Attributes.ApproximateNumberOfMessages, { num: true }],
      ["In flight", (q) => q.Attributes.ApproximateNumberOfMessagesNotVisible, { num: true }],
      ["Delayed", (q) => q.Attributes.ApproximateNumberOfMessagesDelayed, { num: true }],
      ["Dead-letter queue", (q) => { const arn = dlqOf(q); return arn ? link(`#/queues/${encodeURIComponent(arn.split(":").pop())}`, arn.split(":").pop()) : ""; }],
    ], Queues, "No queues."));
  };
  await refresh();
  return refresh;
}

async function detail(main, name) {
  const { QueueUrl } = await read("sqs", "GetQueueUrl", { QueueName: name });
  const attrs = h("div");
  const sources = h("div");
  const out = h("div", { "aria-live": "polite" });
  const messages = h("div");
  main.replaceChildren(h("h1", {}, `Queue ${name}`), attrs,
    h("section", { "aria-labelledby": "dlq" }, h("h2", { id: "dlq" }, "Dead-letter queue of"), sources),
    h("section", { "aria-labelledby": "msgs" }, h("h2", { id: "msgs" }, "Messages"),
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", onclick: () => peek(QueueUrl, messages) }, "Peek at messages")),
      h("p", { class: "muted" }, "Peeking receives messages with a visibility timeout of 0: they stay available, and their receive count goes up, as in AWS's console."),
      messages, sendForm(QueueUrl, out)),
    out);
  const refresh = async () => {
    const { Attributes: a } = await read("sqs", "GetQueueAttributes", { QueueUrl, AttributeNames: ["All"] });
    attrs.replaceChildren(kv([
      ["URL", QueueUrl], ["ARN", a.QueueArn], ["Available", a.ApproximateNumberOfMessages],
      ["In flight", a.ApproximateNumberOfMessagesNotVisible], ["Delayed", a.ApproximateNumberOfMessagesDelayed],
      ["Visibility timeout", `${a.VisibilityTimeout} s`], ["Redrive policy", a.RedrivePolicy],
    ]));
    const { queueUrls = [] } = await read("sqs", "ListDeadLetterSourceQueues", { QueueUrl });
    if (!queueUrls.length) { sources.replaceChildren(h("p", { class: "muted" }, "No queue sends its failures here.")); return; }
    const { Results = [] } = await read("sqs", "ListMessageMoveTasks", { SourceArn: a.QueueArn });
    sources.replaceChildren(
      h("ul", {}, queueUrls.map((u) => h("li", {}, link(`#/queues/${encodeURIComponent(u.split("/").pop())}`, u.split("/").pop())))),
      h("button", { type: "button", id: "redrive", onclick: () => redrive(a.QueueArn, out) }, "Redrive messages to their source queues"),
      Results.length ? table("Message move tasks", [
        ["Started", (t) => when(t.StartedTimestamp)], ["Status", (t) => t.Status],
        ["Moved", (t) => t.ApproximateNumberOfMessagesMoved, { num: true }],
        ["To move", (t) => t.ApproximateNumberOfMessagesToMove, { num: true }],
        ["Failure", (t) => t.FailureReason || ""],
      ], Results) : "");
  };
  await refresh();
  return refresh;
}

async function peek(QueueUrl, into) {
  try {
    const { Messages = [] } = await sqs("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0,
      MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] });
    into.replaceChildren(table(`${Messages.length} messages (at most 10)`, [
      ["Message id", (m) => h("code", {}, m.MessageId)],
      ["Sent", (m) => when(Number(m.Attributes?.SentTimestamp))],
      ["Receives", (m) => m.Attributes?.ApproximateReceiveCount, { num: true }],
      ["Body", (m) => h("pre", {}, m.Body)],
    ], Messages, "No message is available."));
  } catch (error) { into.replaceChildren(errorBox(error)); }
}

async function redrive(SourceArn, out) {
  try {
    const { TaskHandle } = await sqs("StartMessageMoveTask", { SourceArn });
    out.replaceChildren(h("p", { role: "status" }, "Redrive started (task ", h("code", {}, TaskHandle.slice(0, 16) + "…"), ")."));
  } catch (error) { out.replaceChildren(errorBox(error)); }
}

function sendForm(QueueUrl, out) {
  const body = h("textarea", { id: "message-body" }, "{}");
  return h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      const sent = await sqs("SendMessage", { QueueUrl, MessageBody: body.value });
      out.replaceChildren(h("p", { role: "status" }, "Sent message ", h("code", {}, sent.MessageId), "."));
    } catch (error) { out.replaceChildren(errorBox(error)); }
  } }, h("label", {}, "Message body", body), h("div", { class: "row" }, h("button", { type: "submit" }, "Send message")));
}


// Overview: what exists, by service, and the latest failed invocations; refreshed every few seconds.
import { badge, h, link, table, view, when } from "../lib.js";

const PAGES = { lambda: "#/functions", sqs: "#/queues", dynamodb: "#/tables", kinesis: "#/streams", events: "#/events",
                apigateway: "#/apis", apigatewayv2: "#/apis", cloudformation: "#/stacks", logs: "#/logs" };

export async function render(main) {
  const cards = h("ul", { class: "cards", "aria-label": "Resources by service" });
  const errors = h("div");
  main.replaceChildren(h("h1", {}, "Overview"), h("h2", {}, "Services in use"), cards,
    h("h2", {}, "Recent errors"), errors);
  const refresh = async () => {
    const data = await view("overview");
    cards.replaceChildren(...data.counts.filter((c) => c.count > 0).map((c) => h("li", {},
      h("span", { class: "n" }, c.count), PAGES[c.service] ? link(PAGES[c.service], c.label) : c.label)));
    if (!cards.children.length) cards.append(h("li", {}, "Nothing deployed yet."));
    errors.replaceChildren(table("Failed invocations, newest first", [
      ["Function", (e) => link(`#/functions/${encodeURIComponent(e.function)}`, e.function)],
      ["Started", (e) => when(e.start)],
      ["Result", (e) => badge(e.result)],
      ["Error", (e) => e.errorType || ""],
      ["Request id", (e) => h("code", {}, e.requestId)],
    ], data.errors, "No failed invocations in the last hour."));
  };
  await refresh();
  return refresh;
}

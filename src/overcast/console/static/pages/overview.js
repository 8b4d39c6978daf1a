// Overview: what exists, by service, and the latest failed invocations; refreshed every few seconds.
import { badge, h, link, read, table, view, when } from "../lib.js";

const PAGES = { lambda: "#/functions", sqs: "#/queues", dynamodb: "#/tables", kinesis: "#/streams", events: "#/events",
                apigateway: "#/apis", apigatewayv2: "#/apis", cloudformation: "#/stacks", logs: "#/logs" };

export async function render(main) {
  const cards = h("ul", { class: "cards", "aria-label": "Resources by service" });
  const errors = h("div");
  const traces = h("div");
  main.replaceChildren(h("h1", {}, "Overview"), h("h2", {}, "Services in use"), cards,
    h("h2", {}, "Recent errors"), errors, h("h2", {}, "Recent requests"), traces);
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
    traces.replaceChildren(await recentTraces());
  };
  await refresh();
  return refresh;
}

/** The latest traces (GetTraceSummaries over the last hour), or nothing without X-Ray. */
async function recentTraces() {
  const end = Date.now() / 1000;
  try {
    const { TraceSummaries = [] } = await read("xray", "GetTraceSummaries", { StartTime: end - 3600, EndTime: end + 60 });
    TraceSummaries.sort((a, b) => (b.StartTime ?? 0) - (a.StartTime ?? 0));
    return table("The latest ten traces; open one for its timeline", [
      ["Started", (t) => when(t.StartTime)],
      ["Entry point", (t) => link(`#/traces/${t.Id}`, t.EntryPoint?.Name || t.Id)],
      ["Services", (t) => (t.ServiceIds || []).map((s) => s.Name).filter((n, i, all) => all.indexOf(n) === i).join(", ")],
      ["Duration (ms)", (t) => ((t.Duration ?? 0) * 1000).toFixed(1), { num: true }],
      ["Result", (t) => badge(t.HasFault ? "fault" : t.HasError ? "error" : t.HasThrottle ? "throttle" : "ok")],
    ], TraceSummaries.slice(0, 10), "No traced requests in the last hour.");
  } catch {
    return h("p", { class: "muted" }, "No traces (this overcast has no X-Ray).");
  }
}

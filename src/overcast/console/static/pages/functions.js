// Functions: the list with environments; one function's configuration, invocations (with their
// logs) and an Invoke form fed by the sample events of `overcast events`.
import { badge, errorBox, h, invoke, json, kv, link, read, table, view, when } from "../lib.js";
import { invocationTraces } from "./traces.js";

export async function render(main, [name]) {
  return name ? detail(main, name) : list(main);
}

async function list(main) {
  const body = h("div");
  main.replaceChildren(h("h1", {}, "Functions"), body);
  const refresh = async () => {
    const { Functions } = await view("functions");
    body.replaceChildren(table(`${Functions.length} functions`, [
      ["Name", (f) => link(`#/functions/${encodeURIComponent(f.FunctionName)}`, f.FunctionName)],
      ["Runtime", (f) => f.Runtime || f.PackageType],
      ["Memory (MB)", (f) => f.MemorySize, { num: true }],
      ["Timeout (s)", (f) => f.Timeout, { num: true }],
      ["State", (f) => f.State || "Active"],
      ["Warm", (f) => f.Environments.warm, { num: true }],
      ["Busy", (f) => f.Environments.busy, { num: true }],
    ], Functions, "No functions."));
  };
  await refresh();
  return refresh;
}

async function detail(main, name) {
  const fn = await read("lambda", "GetFunction", { FunctionName: name });
  const c = fn.Configuration;
  const envs = h("p");
  const invocations = h("div");
  main.replaceChildren(
    h("h1", {}, `Function ${name}`),
    h("section", { "aria-labelledby": "cfg" }, h("h2", { id: "cfg" }, "Configuration"), kv([
      ["ARN", c.FunctionArn], ["Runtime", c.Runtime || c.PackageType], ["Handler", c.Handler],
      ["Memory", `${c.MemorySize} MB`], ["Timeout", `${c.Timeout} s`], ["Role", c.Role],
      ["Tracing", c.TracingConfig?.Mode], ["Last modified", c.LastModified],
      ["Environment", c.Environment?.Variables ? json(c.Environment.Variables) : null],
    ]), envs),
    h("section", { "aria-labelledby": "inv" }, h("h2", { id: "inv" }, "Recent invocations"), invocations),
    invokeForm(name),
  );
  const refresh = async () => {
    const [{ Functions }, { Invocations }, traced] = await Promise.all([
      view("functions"), view(`functions/${encodeURIComponent(name)}/invocations?limit=25`), invocationTraces(name)]);
    const mine = Functions.find((f) => f.FunctionName === name);
    envs.textContent = mine ? `Execution environments: ${mine.Environments.warm} warm, ${mine.Environments.busy} busy.` : "";
    invocations.replaceChildren(table("Newest first; open a row's logs with its button", [
      ["Started", (i) => when(i.start)],
      ["Type", (i) => traced[i.requestId]?.type || ""],
      ["Trigger", (i) => traced[i.requestId]?.trigger || ""],
      ["Trace", (i) => traced[i.requestId] ? link(`#/traces/${traced[i.requestId].traceId}`, "timeline") : ""],
      ["Duration (ms)", (i) => (i.durationMs ?? "").toString(), { num: true }],
      ["Result", (i) => badge(i.result)],
      ["Logs", (i) => h("details", {}, h("summary", {}, h("code", {}, i.requestId)), h("pre", {}, i.logs.join("\n")))],
    ], Invocations, "No invocations in the last hour."));
  };
  await refresh();
  return refresh;
}

function invokeForm(name) {
  const source = h("select", { id: "event-source" }, h("option", { value: "" }, "(empty event {})"));
  const kind = h("select", { id: "event-kind" });
  const payload = h("textarea", { id: "payload", spellcheck: "false" }, "{}");
  const type = h("select", { id: "invocation-type" },
    h("option", { value: "RequestResponse" }, "synchronous (RequestResponse)"), h("option", { value: "Event" }, "asynchronous (Event)"));
  const out = h("div", { "aria-live": "polite" });
  view("sample-events").then(({ Sources }) => {
    for (const [sourceName, spec] of Object.entries(Sources)) source.append(h("option", { value: sourceName }, sourceName));
    source.onchange = async () => {
      kind.replaceChildren(...(Sources[source.value]?.kinds || []).map((k) => h("option", { value: k }, k)));
      await fill();
    };
  });
  const fill = async () => {
    if (!source.value) { payload.value = "{}"; return; }
    const { Event } = await view(`sample-events/${source.value}/${kind.value}`);
    payload.value = JSON.stringify(Event, null, 2);
  };
  kind.onchange = fill;
  const submit = async (event) => {
    event.preventDefault();
    out.replaceChildren(h("p", { class: "muted" }, "Invoking…"));
    try {
      const result = await invoke(name, payload.value, type.value);
      out.replaceChildren(
        h("p", {}, "Status ", h("strong", {}, String(result.status)), " ",
          badge(result.functionError ? "error" : "success"), result.functionError ? ` ${result.functionError}` : ""),
        h("h3", {}, "Response"), h("pre", { id: "invoke-result" }, result.payload),
        h("h3", {}, "Log tail"), h("pre", {}, result.log));
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  return h("section", { "aria-labelledby": "invoke" }, h("h2", { id: "invoke" }, "Invoke"),
    h("form", { onsubmit: submit },
      h("div", { class: "row" }, h("label", {}, "Sample event source", source), h("label", {}, "Kind", kind)),
      h("label", {}, "Event (JSON)", payload),
      h("div", { class: "row" }, h("label", {}, "Invocation type", type), h("button", { type: "submit" }, "Invoke"))),
    out);
}

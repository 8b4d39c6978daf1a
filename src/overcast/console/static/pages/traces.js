// The service map (GetServiceGraph) and traces (GetTraceSummaries, BatchGetTraces): every hop of a
// request across services, on a timeline.
import { arnName, badge, errorBox, h, link, read, table, when } from "../lib.js";

const WINDOW_S = 3600;
const window_ = () => { const end = Date.now() / 1000; return { StartTime: end - WINDOW_S, EndTime: end + 60 }; };

export async function render(main, args, section) {
  try {
    if (section === "map") return await map(main);
    return args[0] ? await trace(main, args[0]) : await list(main);
  } catch (error) {
    if (error.code === "UnknownService") {
      main.replaceChildren(h("h1", {}, section === "map" ? "Service map" : "Traces"),
        h("p", {}, "This overcast records no traces (it has no X-Ray service)."));
      return null;
    }
    throw error;
  }
}

// -- the service map ------------------------------------------------------------------------------

function stats(s) {
  const total = s?.TotalCount ?? 0;
  const errors = (s?.ErrorStatistics?.TotalCount ?? 0) + (s?.FaultStatistics?.TotalCount ?? 0);
  return { total, errors, avg: total ? (s.TotalResponseTime / total) * 1000 : 0 };
}

/** Each node's column: its longest distance from a node nothing calls. */
function layers(services) {
  const byRef = new Map(services.map((s) => [s.ReferenceId, s]));
  const depth = new Map();
  const visit = (ref, seen) => {
    if (depth.has(ref)) return depth.get(ref);
    const callers = services.filter((s) => (s.Edges || []).some((e) => e.ReferenceId === ref) && !seen.has(s.ReferenceId));
    const d = callers.length ? 1 + Math.max(...callers.map((c) => visit(c.ReferenceId, new Set([...seen, ref])))) : 0;
    depth.set(ref, d);
    return d;
  };
  for (const ref of byRef.keys()) visit(ref, new Set([ref]));
  return depth;
}

export function drawMap(services) {
  const depth = layers(services);
  const columns = [];
  for (const s of services) (columns[depth.get(s.ReferenceId)] ||= []).push(s);
  const W = 170, H = 60, GX = 46, GY = 18;
  const pos = new Map();
  const row = new Map();
  const callers = (s) => services.filter((c) => (c.Edges || []).some((e) => e.ReferenceId === s.ReferenceId));
  // Fewer crossings: a column's nodes in the order of their callers' rows; nodes without calls last.
  columns.forEach((col, x) => {
    const weight = (s) => {
      const rows = callers(s).map((c) => row.get(c.ReferenceId)).filter((r) => r !== undefined);
      if (rows.length) return rows.reduce((a, b) => a + b, 0) / rows.length;
      return (s.Edges || []).length ? -1 : 1e6;
    };
    col.sort((a, b) => weight(a) - weight(b) || a.Name.localeCompare(b.Name));
    col.forEach((s, y) => { row.set(s.ReferenceId, y); pos.set(s.ReferenceId, { x: 10 + x * (W + GX), y: 10 + y * (H + GY) }); });
  });
  const width = 20 + columns.length * (W + GX), height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GY);
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => { const n = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); if (text !== undefined) n.textContent = text; return n; };
  const svg = el("svg", { class: "map", width, height, style: "max-width:100%;height:auto", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "map-title" });
  svg.append(el("title", { id: "map-title" }, `Service map: ${services.length} nodes`));
  const defs = el("defs", {});
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.append(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#6b7785" }));
  defs.append(marker);
  svg.append(defs);
  for (const s of services) {
    for (const e of s.Edges || []) {
      const a = pos.get(s.ReferenceId), b = pos.get(e.ReferenceId);
      if (!a || !b) continue;
      const st = stats(e.SummaryStatistics);
      const g = el("g", { class: "edge" });
      g.append(el("line", { x1: a.x + W, y1: a.y + H / 2, x2: b.x, y2: b.y + H / 2, stroke: st.errors ? "#d9534f" : "#6b7785", "stroke-width": 1.5, "marker-end": "url(#arrow)" }));
      g.append(el("text", { x: (a.x + W + b.x) / 2, y: (a.y + b.y + H) / 2 - 4, "text-anchor": "middle", fill: "#3a4552" }, `${st.total}${st.errors ? ` (${st.errors} err)` : ""}`));
      svg.append(g);
    }
  }
  for (const s of services) {
    const p = pos.get(s.ReferenceId);
    const st = stats(s.SummaryStatistics);
    const g = el("g", { class: "node", "data-name": s.Name, "data-type": s.Type || "" });
    g.append(el("rect", { x: p.x, y: p.y, width: W, height: H, rx: 6, fill: st.errors ? "#fdf0ef" : "#eef4fc", stroke: st.errors ? "#d9534f" : "#4c8ee6" }));
    g.append(el("text", { x: p.x + 8, y: p.y + 18, "font-weight": 600 }, s.Name.length > 23 ? `${s.Name.slice(0, 22)}…` : s.Name));
    g.append(el("text", { x: p.x + 8, y: p.y + 35, fill: "#5b6675" }, s.Type || ""));
    g.append(el("text", { x: p.x + 8, y: p.y + 52, fill: "#5b6675" }, st.total ? `${st.total} calls · ${st.avg.toFixed(0)} ms avg${st.errors ? ` · ${st.errors} err` : ""}` : "client"));
    svg.append(g);
  }
  return svg;
}

async function map(main) {
  const body = h("div");
  main.replaceChildren(h("h1", {}, "Service map"), h("p", { class: "muted" }, "Nodes are services and resources, edges the calls between them, over the last hour (GetServiceGraph)."), body);
  const refresh = async () => {
    const { Services = [] } = await read("xray", "GetServiceGraph", window_());
    body.replaceChildren(Services.length ? drawMap(Services) : h("p", { class: "muted" }, "No traced calls in the last hour."),
      table("Edges", [
        ["From", (r) => r.from], ["To", (r) => r.to], ["Calls", (r) => r.total, { num: true }],
        ["Errors and faults", (r) => r.errors, { num: true }], ["Average (ms)", (r) => r.avg.toFixed(1), { num: true }],
      ], Services.flatMap((s) => (s.Edges || []).map((e) => ({
        from: s.Name, to: Services.find((t) => t.ReferenceId === e.ReferenceId)?.Name, ...stats(e.SummaryStatistics) })))));
  };
  await refresh();
  return refresh;
}

// -- traces ---------------------------------------------------------------------------------------

async function list(main) {
  const filter = h("input", { id: "filter-expression", size: 40, placeholder: 'service("basket") AND error' });
  const body = h("div");
  const load = async () => {
    try {
      const { TraceSummaries = [] } = await read("xray", "GetTraceSummaries", { ...window_(), ...(filter.value ? { FilterExpression: filter.value } : {}) });
      TraceSummaries.sort((a, b) => (b.StartTime ?? 0) - (a.StartTime ?? 0));
      body.replaceChildren(table(`${TraceSummaries.length} traces in the last hour`, [
        ["Trace", (t) => link(`#/traces/${t.Id}`, t.Id)], ["Started", (t) => when(t.StartTime)],
        ["Entry point", (t) => t.EntryPoint?.Name || (t.Http?.HttpMethod ? `${t.Http.HttpMethod} ${t.Http.HttpURL}` : "")],
        ["Duration (ms)", (t) => ((t.Duration ?? 0) * 1000).toFixed(1), { num: true }],
        ["Result", (t) => badge(t.HasFault ? "fault" : t.HasError ? "error" : t.HasThrottle ? "throttle" : "ok")],
        ["Services", (t) => (t.ServiceIds || []).map((s) => s.Name).join(", ")],
      ], TraceSummaries, "No traces."));
    } catch (error) { body.replaceChildren(errorBox(error)); }
  };
  main.replaceChildren(h("h1", {}, "Traces"),
    h("form", { onsubmit: (e) => { e.preventDefault(); load(); } }, h("div", { class: "row" },
      h("label", {}, "Filter expression", filter), h("button", { type: "submit" }, "Filter"))), body);
  await load();
  return filter.value ? null : load;
}

/** A trace's segments and subsegments, flattened in start order with their depth. */
export function spans(traceDoc) {
  const rows = [];
  const walk = (seg, depth, origin) => {
    rows.push({ ...seg, depth, origin: seg.origin || origin });
    for (const sub of seg.subsegments || []) walk(sub, depth + 1, seg.origin || origin);
  };
  const docs = (traceDoc.Segments || []).map((s) => (typeof s.Document === "string" ? JSON.parse(s.Document) : s.Document));
  const byId = new Map(docs.map((d) => [d.id, d]));
  const depthOf = (d) => { let n = 0; let p = d.parent_id; while (p && n < 50) { n += 1; p = byId.get(p)?.parent_id; } return n; };
  docs.sort((a, b) => a.start_time - b.start_time);
  for (const d of docs) walk(d, depthOf(d), d.origin);
  return rows.sort((a, b) => a.start_time - b.start_time);
}

function label(span) {
  const what = span.aws?.operation || span.http?.request?.method || "";
  const resource = span.aws?.function_name || span.aws?.queue_url?.split("/").pop() || span.aws?.table_name || span.aws?.resource_names?.[0] || "";
  return [span.origin || span.namespace || "", span.name, what, resource && resource !== span.name ? resource : ""].filter(Boolean).join(" · ");
}

async function trace(main, id) {
  const { Traces = [] } = await read("xray", "BatchGetTraces", { TraceIds: [id] });
  if (!Traces.length) { main.replaceChildren(h("h1", {}, `Trace ${id}`), h("p", {}, "No such trace.")); return null; }
  const rows = spans(Traces[0]);
  const t0 = Math.min(...rows.map((r) => r.start_time));
  const t1 = Math.max(...rows.map((r) => r.end_time ?? r.start_time));
  const span = Math.max(t1 - t0, 1e-6);
  const timeline = h("div", { class: "timeline", role: "list", "aria-label": "Segments on a timeline" }, rows.map((r) => {
    const state = r.fault ? "fault" : r.error ? "error" : r.throttle ? "throttle" : "";
    const ms = (((r.end_time ?? r.start_time) - r.start_time) * 1000).toFixed(1);
    return h("div", { class: "bar-row", role: "listitem", "data-origin": r.origin || "" },
      h("div", { style: `padding-left:${r.depth}rem` }, label(r), " ", h("span", { class: "muted" }, `${ms} ms`), state ? [" ", badge(state)] : ""),
      h("div", { class: "track", "aria-hidden": "true" }, h("div", { class: `bar ${state}`,
        style: `left:${((r.start_time - t0) / span) * 100}%;width:${(((r.end_time ?? r.start_time) - r.start_time) / span) * 100}%` })));
  }));
  main.replaceChildren(h("h1", {}, `Trace ${id}`),
    h("p", {}, `${rows.length} segments and subsegments over ${(span * 1000).toFixed(1)} ms, started ${when(t0)}.`),
    timeline, h("h2", {}, "Raw segments"), h("details", {}, h("summary", {}, "Segment documents"), h("pre", {}, JSON.stringify(rows, null, 2))));
  return null;
}

const TYPES = { RequestResponse: "sync", Event: "async", EventSourceMapping: "event source mapping" };

/** requestId → {type, trigger} of a function's traced invocations (empty without X-Ray): the
 * `AWS::Lambda` segment of each invocation names its type and trigger under `metadata.overcast`. */
export async function invocationTraces(functionName) {
  const found = {};
  try {
    const { TraceSummaries = [] } = await read("xray", "GetTraceSummaries", { ...window_(), FilterExpression: `service("${functionName}")` });
    const ids = TraceSummaries.slice(0, 25).map((t) => t.Id);
    for (let i = 0; i < ids.length; i += 5) {
      const { Traces = [] } = await read("xray", "BatchGetTraces", { TraceIds: ids.slice(i, i + 5) });
      for (const t of Traces) {
        const rows = spans(t);
        for (const r of rows) {
          if (r.origin !== "AWS::Lambda" || r.name !== functionName || !r.aws?.request_id) continue;
          const meta = r.metadata?.overcast || {};
          const caller = rows.find((p) => p.id === r.parent_id);
          found[r.aws.request_id] = { type: TYPES[meta.invocation_type] || meta.invocation_type || "",
            trigger: meta.source_arn ? arnName(meta.source_arn) : caller ? label(caller) : "", traceId: t.Id };
        }
      }
    }
  } catch { /* no X-Ray: the columns stay empty */ }
  return found;
}

// CloudWatch: Lambda's Invocations, Errors and Duration charted per function (GetMetricData), any
// other metric charted on request (ListMetrics), and the alarms with their states (DescribeAlarms).
import { errorBox, h, read, table, when } from "../lib.js";

const HOUR = 3600;
const PERIOD = 60;
const COLORS = ["#1f5fbf", "#d9534f", "#1a7f37", "#8a5a00", "#6f42c1", "#0f8a8a", "#c2185b", "#555"];
const LAMBDA = [["Invocations", "Sum", ""], ["Errors", "Sum", ""], ["Duration", "Average", " ms"]];

export async function render(main) {
  try {
    await read("cloudwatch", "ListMetrics", { Namespace: "AWS/Lambda" });
  } catch (error) {
    if (error.code !== "UnknownService") throw error;
    main.replaceChildren(h("h1", {}, "Metrics"), h("p", {}, "This overcast has no CloudWatch service: no metrics to chart."));
    return null;
  }
  const charts = h("div", { class: "charts" });
  const alarms = h("div");
  const other = h("div");
  main.replaceChildren(h("h1", {}, "Metrics and alarms"),
    h("section", { "aria-labelledby": "lm" }, h("h2", { id: "lm" }, "Lambda, up to the last hour (1-minute periods)"), charts),
    h("section", { "aria-labelledby": "al" }, h("h2", { id: "al" }, "Alarms"), alarms),
    h("section", { "aria-labelledby": "om" }, h("h2", { id: "om" }, "All metrics"), other));
  const refresh = async () => {
    await Promise.all([lambdaCharts(charts), alarmTable(alarms)]);
  };
  await refresh();
  await metricList(other);
  return refresh;
}

async function all(operation, params, items) {
  const found = [];
  let token;
  do {
    const page = await read("cloudwatch", operation, { ...params, ...(token ? { NextToken: token } : {}) });
    found.push(...(page[items] || []));
    token = page.NextToken;
  } while (token && found.length < 2000);
  return found;
}

async function series(metrics, stat) {
  const end = Math.ceil(Date.now() / 1000 / PERIOD) * PERIOD;
  const queries = metrics.slice(0, 500).map((m, i) => ({ Id: `m${i}`, Label: m.label, ReturnData: true,
    MetricStat: { Metric: m.metric, Period: PERIOD, Stat: stat } }));
  if (!queries.length) return [];
  const { MetricDataResults = [] } = await read("cloudwatch", "GetMetricData",
    { MetricDataQueries: queries, StartTime: end - HOUR, EndTime: end, ScanBy: "TimestampAscending" });
  return MetricDataResults;
}

async function lambdaCharts(into) {
  const metrics = await all("ListMetrics", { Namespace: "AWS/Lambda", MetricName: "Invocations" }, "Metrics");
  const functions = [...new Set(metrics.flatMap((m) => (m.Dimensions || []).filter((d) => d.Name === "FunctionName").map((d) => d.Value)))].sort().slice(0, COLORS.length);
  if (!functions.length) { into.replaceChildren(h("p", { class: "muted" }, "No function has been invoked yet.")); return; }
  const figures = await Promise.all(LAMBDA.map(async ([name, stat, unit]) => {
    const results = await series(functions.map((fn) => ({ label: fn, metric: { Namespace: "AWS/Lambda", MetricName: name,
      Dimensions: [{ Name: "FunctionName", Value: fn }] } })), stat);
    return chart(`${name} (${stat})`, results, unit);
  }));
  into.replaceChildren(...figures);
}

/** A line chart (SVG) of GetMetricData results, one line per result, with a legend and a table for screen readers. */
export function chart(title, results, unit = "") {
  const W = 380, H = 170, L = 44, B = 22;
  const end = Math.ceil(Date.now() / 1000 / PERIOD) * PERIOD;
  const points = results.map((r) => (r.Timestamps || []).map((t, i) => [t, r.Values[i]]));
  // the last hour, narrowed to the data's span (at least 15 minutes) so recent points stay apart
  const first = Math.min(end - 15 * PERIOD, ...points.flat().map(([t]) => t - 2 * PERIOD));
  const start = Math.max(end - HOUR, first);
  const span = end - start;
  const max = Math.max(1e-9, ...points.flat().map(([, v]) => v));
  const x = (t) => L + ((t - start) / span) * (W - L - 8);
  const y = (v) => H - B - (v / max) * (H - B - 10);
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => { const n = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); if (text !== undefined) n.textContent = text; return n; };
  const svg = el("svg", { class: "chart", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
  svg.append(el("line", { x1: L, y1: H - B, x2: W - 8, y2: H - B, stroke: "#aab3c0" }), el("line", { x1: L, y1: 10, x2: L, y2: H - B, stroke: "#aab3c0" }));
  svg.append(el("text", { x: L - 4, y: 14, "text-anchor": "end", "font-size": 10 }, fmt(max)), el("text", { x: L - 4, y: H - B, "text-anchor": "end", "font-size": 10 }, "0"));
  svg.append(el("text", { x: L, y: H - 6, "font-size": 10 }, new Date(start * 1000).toLocaleTimeString()), el("text", { x: W - 8, y: H - 6, "font-size": 10, "text-anchor": "end" }, "now"));
  points.forEach((pts, i) => {
    if (!pts.length) return;
    const color = COLORS[i % COLORS.length];
    svg.append(el("polyline", { points: pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "), fill: "none", stroke: color, "stroke-width": 1.8 }));
    for (const [t, v] of pts) svg.append(el("circle", { cx: x(t), cy: y(v), r: 2.2, fill: color }));
  });
  const legend = h("ul", { class: "muted", style: "margin:.2rem 0;padding-left:1rem" }, results.map((r, i) => h("li", { style: `color:${COLORS[i % COLORS.length]}` },
    `${r.Label}: ${(r.Values || []).length ? `latest ${fmt(r.Values.at(-1))}${unit}, peak ${fmt(Math.max(...r.Values))}${unit}` : "no data"}`)));
  return h("figure", { "data-metric": title }, h("figcaption", {}, title), svg, legend);
}

function fmt(v) { return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2); }

async function alarmTable(into) {
  try {
    const { MetricAlarms = [], CompositeAlarms = [] } = await read("cloudwatch", "DescribeAlarms", {});
    into.replaceChildren(table(`${MetricAlarms.length + CompositeAlarms.length} alarms`, [
      ["Alarm", (a) => a.AlarmName], ["State", (a) => h("span", { class: `badge ${a.StateValue === "ALARM" ? "bad" : a.StateValue === "OK" ? "ok" : ""}` }, a.StateValue)],
      ["Metric", (a) => a.MetricName ? `${a.Namespace} ${a.MetricName}` : a.AlarmRule || "metric math"],
      ["Condition", (a) => a.ComparisonOperator ? `${a.Statistic || a.ExtendedStatistic || ""} ${a.ComparisonOperator} ${a.Threshold}` : ""],
      ["Since", (a) => when(a.StateUpdatedTimestamp)], ["Reason", (a) => a.StateReason || ""],
    ], [...MetricAlarms, ...CompositeAlarms], "No alarms."));
  } catch (error) { into.replaceChildren(errorBox(error)); }
}

// A namespace narrows the list (ListMetrics pages through at most 2,000 metrics, and a busy
// overcast publishes more than that of its own).
async function metricList(into) {
  const namespace = h("input", { id: "namespace", type: "search", placeholder: "all namespaces" });
  const select = h("select", { id: "metric" });
  const stat = h("select", { id: "stat" }, ["Sum", "Average", "Maximum", "Minimum", "SampleCount", "p99"].map((s) => h("option", { value: s }, s)));
  const out = h("div", { "aria-live": "polite" });
  let metrics = [];
  const load = async () => {
    const filter = namespace.value.trim();
    metrics = await all("ListMetrics", filter ? { Namespace: filter } : {}, "Metrics");
    select.replaceChildren(...metrics.map((m, i) => h("option", { value: i },
      `${m.Namespace} · ${m.MetricName}${(m.Dimensions || []).length ? " · " + m.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(", ") : ""}`)));
    out.replaceChildren(metrics.length ? "" : h("p", { class: "muted" }, "No metrics."));
  };
  const show = async (e) => {
    e.preventDefault();
    const m = metrics[Number(select.value)];
    if (!m) return;
    try {
      const results = await series([{ label: m.MetricName, metric: { Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions || [] } }], stat.value);
      out.replaceChildren(chart(`${m.Namespace} ${m.MetricName} (${stat.value})`, results));
    } catch (error) { out.replaceChildren(errorBox(error)); }
  };
  namespace.addEventListener("change", () => load().catch((error) => out.replaceChildren(errorBox(error))));
  into.replaceChildren(h("form", { onsubmit: show }, h("div", { class: "row" },
    h("div", {}, h("label", { for: "namespace" }, "Namespace"), namespace),
    h("div", {}, h("label", { for: "metric" }, "Metric"), select), h("div", {}, h("label", { for: "stat" }, "Statistic"), stat),
    h("button", { type: "submit" }, "Chart"))), out);
  await load();
}

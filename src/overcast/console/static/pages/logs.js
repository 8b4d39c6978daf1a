// Log groups: the list; one group's events filtered by a CloudWatch Logs filter pattern, and tailed.
import { errorBox, h, link, read, table, when } from "../lib.js";

export async function render(main, rest) {
  const name = rest.join("/");
  if (!name) {
    const { logGroups = [] } = await read("logs", "DescribeLogGroups", {});
    main.replaceChildren(h("h1", {}, "Log groups"), table(`${logGroups.length} log groups`, [
      ["Name", (g) => link(`#/logs/${g.logGroupName.split("/").map(encodeURIComponent).join("/")}`, g.logGroupName)],
      ["Created", (g) => when(g.creationTime)], ["Stored bytes", (g) => g.storedBytes, { num: true }],
      ["Retention (days)", (g) => g.retentionInDays || "never expire", { num: true }],
    ], logGroups, "No log groups."));
    return null;
  }
  const pattern = h("input", { id: "filter-pattern", size: 40, placeholder: "ERROR, \"Task timed out\", { $.level = \"ERROR\" }…" });
  const tail = h("input", { type: "checkbox", id: "tail", checked: true });
  const out = h("pre", { "aria-live": "polite", id: "log-events" });
  let lines = [];
  let since = Date.now() - 3_600_000;
  const load = async (reset) => {
    if (reset) { lines = []; since = Date.now() - 3_600_000; }
    try {
      let token;
      do {
        const page = await read("logs", "FilterLogEvents", { logGroupName: name, startTime: since, filterPattern: pattern.value || undefined,
          ...(token ? { nextToken: token } : {}) });
        for (const e of page.events || []) lines.push(`${new Date(e.timestamp).toISOString()}  ${e.message.trimEnd()}`);
        if ((page.events || []).length) since = Math.max(...page.events.map((e) => e.timestamp)) + 1;
        token = page.nextToken;
      } while (token);
      lines = lines.slice(-2000);
      out.textContent = lines.join("\n") || "No events in the last hour.";
      if (tail.checked) out.scrollTop = out.scrollHeight;
    } catch (error) { out.replaceChildren(errorBox(error)); }
  };
  main.replaceChildren(h("h1", {}, `Log group ${name}`),
    h("form", { onsubmit: (e) => { e.preventDefault(); load(true); } }, h("div", { class: "row" },
      h("label", {}, "Filter pattern", pattern), h("button", { type: "submit" }, "Filter"),
      h("label", { style: "flex-direction:row;align-items:center;gap:.3rem" }, tail, "Tail (poll for new events)"))),
    out);
  await load(true);
  return () => { if (tail.checked) return load(false); return null; };
}

// Event buses and rules: each bus's rules with their patterns and targets, and any pattern tested
// against an event with EventBridge's own TestEventPattern.
import { arnName, errorBox, h, json, read, table, view } from "../lib.js";

export async function render(main) {
  const { EventBuses = [] } = await read("events", "ListEventBuses", {});
  const sections = await Promise.all(EventBuses.map(async (bus) => {
    const { Rules = [] } = await read("events", "ListRules", { EventBusName: bus.Name });
    const rows = await Promise.all(Rules.map(async (rule) => ({
      ...rule, Targets: (await read("events", "ListTargetsByRule", { Rule: rule.Name, EventBusName: bus.Name })).Targets || [],
    })));
    return h("section", { "aria-label": `Bus ${bus.Name}` }, h("h2", {}, `Bus ${bus.Name}`), table(`${rows.length} rules`, [
      ["Rule", (r) => r.Name], ["State", (r) => r.State],
      ["Pattern or schedule", (r) => r.EventPattern ? h("details", {}, h("summary", {}, "pattern"), json(JSON.parse(r.EventPattern)),
        h("button", { type: "button", class: "secondary", onclick: () => usePattern(r.EventPattern) }, "Test this pattern")) : r.ScheduleExpression],
      ["Targets", (r) => h("ul", {}, r.Targets.map((t) => h("li", {}, `${arnName(t.Arn)} `, h("span", { class: "muted" }, t.Arn.split(":")[2]))))],
    ], rows, "No rules."));
  }));
  main.replaceChildren(h("h1", {}, "Event buses and rules"), ...sections, testForm());
  let sample = "{}";
  try { sample = JSON.stringify((await view("sample-events/eventbridge")).Event, null, 2); } catch { /* no samples */ }
  document.getElementById("test-event").value = sample;
}

function usePattern(pattern) {
  const field = document.getElementById("test-pattern");
  field.value = JSON.stringify(JSON.parse(pattern), null, 2);
  field.focus();
}

function testForm() {
  const pattern = h("textarea", { id: "test-pattern", spellcheck: "false" }, '{\n  "source": ["com.example"]\n}');
  const event = h("textarea", { id: "test-event", spellcheck: "false" });
  const out = h("div", { "aria-live": "polite", id: "test-result" });
  const submit = async (e) => {
    e.preventDefault();
    try {
      const { Result } = await read("events", "TestEventPattern", { EventPattern: pattern.value, Event: event.value });
      out.replaceChildren(h("p", { role: "status" }, h("span", { class: `badge ${Result ? "ok" : "bad"}` },
        Result ? "matches" : "does not match"), " the event."));
    } catch (error) { out.replaceChildren(errorBox(error)); }
  };
  return h("section", { "aria-labelledby": "tp" }, h("h2", { id: "tp" }, "Test a pattern against an event"),
    h("form", { onsubmit: submit }, h("div", { class: "row", style: "align-items:stretch" },
      h("label", { style: "flex:1" }, "Event pattern", pattern), h("label", { style: "flex:1" }, "Event", event)),
    h("button", { type: "submit" }, "Test pattern")), out);
}

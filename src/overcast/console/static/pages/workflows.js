// Workflows: Step Functions state machines (one machine's definition and executions, one execution's
// history), EventBridge Pipes and EventBridge Scheduler schedules.
import { arnName, badge, h, json, kv, link, read, table, when } from "../lib.js";

export async function render(main, [machine, execution]) {
  if (execution) return history(main, machine, execution);
  if (machine) return detail(main, machine);
  return list(main);
}

async function list(main) {
  const body = h("div");
  main.replaceChildren(h("h1", {}, "Workflows"), body);
  const refresh = async () => {
    const [{ stateMachines = [] }, { Pipes = [] }, { Schedules = [] }] = await Promise.all([
      read("stepfunctions", "ListStateMachines", {}), read("pipes", "ListPipes", {}),
      read("scheduler", "ListSchedules", {}),
    ]);
    body.replaceChildren(
      h("h2", {}, "State machines"),
      table(`${stateMachines.length} state machines`, [
        ["Name", (m) => link(`#/workflows/${encodeURIComponent(m.stateMachineArn)}`, m.name)],
        ["Type", (m) => m.type], ["Created", (m) => when(m.creationDate)],
      ], stateMachines, "No state machines."),
      h("h2", {}, "Pipes"),
      table(`${Pipes.length} pipes`, [
        ["Name", (p) => p.Name], ["State", (p) => p.CurrentState], ["Source", (p) => arnName(p.Source)],
        ["Target", (p) => arnName(p.Target)], ["Reason", (p) => p.StateReason || ""],
      ], Pipes, "No pipes."),
      h("h2", {}, "Schedules"),
      table(`${Schedules.length} schedules`, [
        ["Name", (s) => s.Name], ["Group", (s) => s.GroupName], ["State", (s) => s.State],
        ["Target", (s) => arnName(s.Target?.Arn)],
      ], Schedules, "No schedules."));
  };
  await refresh();
  return refresh;
}

async function detail(main, arn) {
  const machine = await read("stepfunctions", "DescribeStateMachine", { stateMachineArn: arn });
  const executions = h("div");
  main.replaceChildren(h("h1", {}, `State machine ${machine.name}`),
    kv([["Type", machine.type], ["Status", machine.status], ["Role", machine.roleArn], ["ARN", machine.stateMachineArn]]),
    h("h2", {}, "Executions"), executions,
    h("h2", {}, "Definition"), json(JSON.parse(machine.definition)));
  const refresh = async () => {
    if (machine.type !== "STANDARD") {
      executions.replaceChildren(h("p", { class: "muted" }, "EXPRESS executions keep no history (see the machine's log group)."));
      return;
    }
    const { executions: found = [] } = await read("stepfunctions", "ListExecutions", { stateMachineArn: arn, maxResults: 100 });
    executions.replaceChildren(table(`${found.length} executions, newest first`, [
      ["Name", (e) => link(`#/workflows/${encodeURIComponent(arn)}/${encodeURIComponent(e.executionArn)}`, e.name)],
      ["Status", (e) => badge(e.status)], ["Started", (e) => when(e.startDate)], ["Stopped", (e) => when(e.stopDate)],
    ], found, "No executions."));
  };
  await refresh();
  return refresh;
}

async function history(main, machine, arn) {
  const body = h("div");
  main.replaceChildren(h("h1", {}, `Execution ${arnName(arn)}`),
    h("p", {}, link(`#/workflows/${encodeURIComponent(machine)}`, `State machine ${arnName(machine)}`)), body);
  const refresh = async () => {
    const [execution, { events = [] }] = await Promise.all([
      read("stepfunctions", "DescribeExecution", { executionArn: arn }),
      read("stepfunctions", "GetExecutionHistory", { executionArn: arn, maxResults: 1000 }),
    ]);
    body.replaceChildren(
      kv([["Status", execution.status], ["Started", when(execution.startDate)], ["Stopped", when(execution.stopDate)],
        ["Error", execution.error], ["Cause", execution.cause]]),
      h("h2", {}, "Input"), h("pre", {}, execution.input || ""),
      h("h2", {}, "Output"), h("pre", {}, execution.output || ""),
      h("h2", {}, "History"),
      table(`${events.length} events`, [
        ["Id", (e) => e.id, { num: true }], ["Type", (e) => e.type], ["Time", (e) => when(e.timestamp)],
        ["State", (e) => (e.stateEnteredEventDetails || e.stateExitedEventDetails || {}).name || ""],
        ["Error", (e) => Object.values(e).find((v) => v && typeof v === "object" && v.error)?.error || ""],
      ], events));
    return execution.status === "RUNNING";
  };
  await refresh();
  return refresh;
}

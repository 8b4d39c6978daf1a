// Stacks: CloudFormation stacks; one stack's outputs, resources and events.
import { h, kv, link, read, table, when } from "../lib.js";

export async function render(main, [name]) {
  if (!name) {
    const { Stacks = [] } = await read("cloudformation", "DescribeStacks", {});
    main.replaceChildren(h("h1", {}, "Stacks"), table(`${Stacks.length} stacks`, [
      ["Name", (s) => link(`#/stacks/${encodeURIComponent(s.StackName)}`, s.StackName)],
      ["Status", (s) => s.StackStatus], ["Created", (s) => when(s.CreationTime)], ["Updated", (s) => when(s.LastUpdatedTime)],
    ], Stacks, "No stacks."));
    return null;
  }
  const [{ Stacks: [stack] }, { StackResourceSummaries = [] }, { StackEvents = [] }] = await Promise.all([
    read("cloudformation", "DescribeStacks", { StackName: name }),
    read("cloudformation", "ListStackResources", { StackName: name }),
    read("cloudformation", "DescribeStackEvents", { StackName: name }),
  ]);
  main.replaceChildren(h("h1", {}, `Stack ${name}`),
    kv([["Status", stack.StackStatus], ["Reason", stack.StackStatusReason], ["ID", stack.StackId]]),
    h("h2", {}, "Outputs"), table("", [["Key", (o) => o.OutputKey], ["Value", (o) => h("code", {}, o.OutputValue)]], stack.Outputs || [], "No outputs."),
    h("h2", {}, "Resources"), table(`${StackResourceSummaries.length} resources`, [
      ["Logical id", (r) => r.LogicalResourceId], ["Type", (r) => r.ResourceType],
      ["Physical id", (r) => h("code", {}, r.PhysicalResourceId || "")], ["Status", (r) => r.ResourceStatus],
    ], StackResourceSummaries),
    h("h2", {}, "Events"), table(`${StackEvents.length} events, newest first`, [
      ["Time", (e) => when(e.Timestamp)], ["Logical id", (e) => e.LogicalResourceId], ["Type", (e) => e.ResourceType],
      ["Status", (e) => e.ResourceStatus], ["Reason", (e) => e.ResourceStatusReason || ""],
    ], StackEvents.slice(0, 200)));
  return null;
}

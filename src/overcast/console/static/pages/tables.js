// Tables: every table with its key and item count; one table's items, a page at a time (Scan or
// Query with Limit and ExclusiveStartKey, so a table of any size opens at once).
import { errorBox, h, kv, link, read, table } from "../lib.js";

const PAGE = 50;

export async function render(main, [name]) {
  return name ? detail(main, name) : list(main);
}

async function list(main) {
  const { TableNames = [] } = await read("dynamodb", "ListTables", {});
  const rows = await Promise.all(TableNames.map(async (n) => (await read("dynamodb", "DescribeTable", { TableName: n })).Table));
  main.replaceChildren(h("h1", {}, "Tables"), table(`${rows.length} tables`, [
    ["Name", (t) => link(`#/tables/${encodeURIComponent(t.TableName)}`, t.TableName)],
    ["Key", (t) => t.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ")],
    ["Items", (t) => t.ItemCount, { num: true }],
    ["Stream", (t) => t.StreamSpecification?.StreamEnabled ? t.StreamSpecification.StreamViewType : ""],
    ["Status", (t) => t.TableStatus],
  ], rows, "No tables."));
}

/** A DynamoDB attribute value as text. */
function plain(value) {
  if (!value || typeof value !== "object") return "";
  const [type, v] = Object.entries(value)[0];
  if (type === "NULL") return "null";
  if (type === "M" || type === "L") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  return String(v);
}

async function detail(main, name) {
  const { Table: t } = await read("dynamodb", "DescribeTable", { TableName: name });
  const hash = t.KeySchema.find((k) => k.KeyType === "HASH").AttributeName;
  const range = t.KeySchema.find((k) => k.KeyType === "RANGE")?.AttributeName;
  const types = Object.fromEntries(t.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType]));
  const items = h("div", { "aria-live": "polite" });
  const pk = h("input", { id: "pk", name: "pk" });
  const sk = h("input", { id: "sk", name: "sk" });
  const skOp = h("select", { id: "sk-op" }, ["=", "<", "<=", ">", ">=", "begins_with"].map((op) => h("option", { value: op }, op)));
  let request = null;
  const pages = [];  // each page's ExclusiveStartKey, so "Previous" can go back

  const show = async (start) => {
    try {
      const params = { ...request, Limit: PAGE, ...(start ? { ExclusiveStartKey: start } : {}) };
      const page = await read("dynamodb", request.KeyConditionExpression ? "Query" : "Scan", params);
      const columns = [...new Set([hash, range, ...page.Items.flatMap((i) => Object.keys(i))].filter(Boolean))];
      items.replaceChildren(
        table(`Page ${pages.length + 1} · ${page.Items.length} items`, columns.map((c) => [c, (item) => plain(item[c])]), page.Items, "No items."),
        h("div", { class: "row" },
          h("button", { type: "button", class: "secondary", disabled: pages.length <= 1, onclick: () => { pages.pop(); show(pages.pop()); } }, "Previous page"),
          h("button", { type: "button", class: "secondary", disabled: !page.LastEvaluatedKey,
            onclick: () => show(page.LastEvaluatedKey) }, "Next page")));
      pages.push(start);
    } catch (error) { items.replaceChildren(errorBox(error)); }
  };
  const scan = () => { request = { TableName: name }; pages.length = 0; show(undefined); };
  const query = (event) => {
    event.preventDefault();
    const values = { ":pk": { [types[hash]]: pk.value } };
    let condition = "#pk = :pk";
    const names = { "#pk": hash };
    if (range && sk.value) {
      names["#sk"] = range;
      values[":sk"] = { [types[range]]: sk.value };
      condition += skOp.value === "begins_with" ? " AND begins_with(#sk, :sk)" : ` AND #sk ${skOp.value} :sk`;
    }
    request = { TableName: name, KeyConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
    pages.length = 0;
    show(undefined);
  };
  main.replaceChildren(h("h1", {}, `Table ${name}`),
    kv([["ARN", t.TableArn], ["Partition key", `${hash} (${types[hash]})`], ["Sort key", range && `${range} (${types[range]})`],
        ["Items", t.ItemCount], ["Stream", t.LatestStreamArn]]),
    h("h2", { id: "q" }, "Query"),
    h("form", { onsubmit: query, "aria-labelledby": "q" }, h("div", { class: "row" },
      h("label", {}, `${hash} =`, pk),
      range ? [h("label", {}, `${range} condition`, skOp), h("label", {}, range, sk)] : [],
      h("button", { type: "submit" }, "Query"),
      h("button", { type: "button", class: "secondary", onclick: scan }, "Scan all"))),
    h("h2", {}, "Items"), items);
  scan();
}

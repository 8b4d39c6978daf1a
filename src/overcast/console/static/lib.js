// Shared helpers: building elements, the console's read-only API, and calls to the AWS endpoint.

/** An element: h("a", {href: "#/"}, "text", child...). Attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const query = new URLSearchParams(location.search);
/** The account and region the console shows: `?account=…&region=…` in its URL, else overcast's defaults. */
export const state = { region: query.get("region") || "", account: query.get("account") || "" };

function withRegion(path) {
  const scope = new URLSearchParams();
  if (state.region) scope.set("region", state.region);
  if (query.get("account")) scope.set("account", query.get("account"));
  const extra = scope.toString();
  return extra ? `${path}${path.includes("?") ? "&" : "?"}${extra}` : path;
}

/** GET one of the console's read-only views (`overview`, `functions`...). */
export async function view(path) {
  const response = await fetch(withRegion(`api/${path}`));
  return answer(response);
}

/** Run one AWS operation that only reads, in process: read("lambda", "GetFunction", {FunctionName}). */
export async function read(service, operation, params = {}) {
  const response = await fetch(withRegion(`api/call/${service}/${operation}`), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(params),
  });
  return answer(response);
}

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new AwsError(body.__type || `HTTP ${response.status}`, body.message || body.Message || "");
  return body;
}

export class AwsError extends Error {
  constructor(code, message) { super(`${code}: ${message}`); this.code = code; }
}

// Calls that change state go to the AWS endpoint itself, as an SDK would. overcast reads the
// account and region from the request's SigV4 credential scope; the console names the default
// account's scope (the access key "test", or the twelve digits of the account shown) and sends no secret.
function authorization(signingName) {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const region = state.region || "us-east-1";
  const key = /^\d{12}$/.test(query.get("account") || "") ? query.get("account") : "test";
  return `AWS4-HMAC-SHA256 Credential=${key}/${day}/${region}/${signingName}/aws4_request, SignedHeaders=host, Signature=console`;
}

/** An operation of a JSON-protocol service: aws("sqs", "AmazonSQS", "StartMessageMoveTask", {...}). */
export async function awsJson(signingName, targetPrefix, operation, params, version = "1.0") {
  const response = await fetch("/", {
    method: "POST",
    headers: { "Content-Type": `application/x-amz-json-${version}`, "X-Amz-Target": `${targetPrefix}.${operation}`,
               "Authorization": authorization(signingName) },
    body: JSON.stringify(params),
  });
  return answer(response);
}

/** Lambda's Invoke (RequestResponse with the log tail, or Event): {status, payload, functionError, log}. */
export async function invoke(functionName, payload, invocationType = "RequestResponse") {
  const response = await fetch(`/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Amz-Invocation-Type": invocationType, "Authorization": authorization("lambda"),
               ...(invocationType === "RequestResponse" ? { "X-Amz-Log-Type": "Tail" } : {}) },
    body: payload,
  });
  const text = await response.text();
  if (!response.ok) {
    let body = {};
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    throw new AwsError(response.headers.get("x-amzn-ErrorType") || `HTTP ${response.status}`, body.message || body.Message || text);
  }
  const tail = response.headers.get("X-Amz-Log-Result");
  return { status: response.status, payload: text, functionError: response.headers.get("X-Amz-Function-Error"),
           log: tail ? new TextDecoder().decode(Uint8Array.from(atob(tail), (c) => c.charCodeAt(0))) : "" };
}

export function when(epoch) {
  if (epoch === undefined || epoch === null || epoch === "") return "";
  const ms = epoch > 1e12 ? epoch : epoch * 1000;
  return new Date(ms).toLocaleString();
}

export function badge(result) { return h("span", { class: `badge ${result}` }, result); }

/** A table: columns are [header, (row) => cell, {num}] triples. */
export function table(caption, columns, rows, empty = "None yet.") {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("table", {},
    h("caption", { class: "muted", style: "text-align:left" }, caption),
    h("thead", {}, h("tr", {}, columns.map(([title, , opts]) => h("th", { scope: "col", class: opts?.num ? "num" : null }, title)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell, opts]) => h("td", { class: opts?.num ? "num" : null }, cell(row)))))));
}

export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

export function errorBox(error) { return h("div", { class: "error-box", role: "alert" }, String(error.message || error)); }

export function link(hash, text) { return h("a", { href: hash }, text); }

export function arnName(arn) { return (arn || "").split(/[:/]/).pop(); }

/** A JSON value pretty-printed in a <pre>. */
export function json(value) { return h("pre", {}, JSON.stringify(value, null, 2)); }

// APIs: REST APIs (resources and methods) and HTTP APIs (routes), each with the function it calls.
import { arnName, h, read, table, view } from "../lib.js";

/** The function an integration URI names (arn:aws:apigateway:...:lambda:path/.../functions/<arn>/invocations). */
function target(uri) {
  if (!uri) return "";
  const fn = uri.match(/function:([^:/]+)/);
  return fn ? h("a", { href: `#/functions/${encodeURIComponent(fn[1])}` }, fn[1]) : uri;
}

export async function render(main) {
  const { items = [] } = await read("apigateway", "GetRestApis", {});
  const rest = await Promise.all(items.map(async (api) => {
    const resources = (await read("apigateway", "GetResources", { restApiId: api.id, embed: ["methods"] })).items || [];
    const rows = [];
    for (const resource of resources) {
      for (const [method, spec] of Object.entries(resource.resourceMethods || {})) {
        let uri = spec.methodIntegration?.uri;
        if (uri === undefined) {
          try { uri = (await read("apigateway", "GetIntegration", { restApiId: api.id, resourceId: resource.id, httpMethod: method })).uri; } catch { uri = ""; }
        }
        rows.push({ route: `${method} ${resource.path}`, uri });
      }
    }
    return h("section", { "aria-label": `REST API ${api.name}` }, h("h2", {}, `REST API ${api.name} (${api.id})`),
      table(`${rows.length} methods`, [["Route", (r) => h("code", {}, r.route)], ["Function", (r) => target(r.uri)]], rows, "No methods."));
  }));
  const { Items = [] } = await read("apigatewayv2", "GetApis", {});
  const http = await Promise.all(Items.map(async (api) => {
    const routes = (await read("apigatewayv2", "GetRoutes", { ApiId: api.ApiId })).Items || [];
    const integrations = Object.fromEntries(((await read("apigatewayv2", "GetIntegrations", { ApiId: api.ApiId })).Items || [])
      .map((i) => [i.IntegrationId, i]));
    const rows = routes.map((r) => ({ route: r.RouteKey, uri: integrations[(r.Target || "").replace("integrations/", "")]?.IntegrationUri }));
    return h("section", { "aria-label": `HTTP API ${api.Name}` }, h("h2", {}, `${api.ProtocolType} API ${api.Name} (${api.ApiId})`),
      h("p", {}, h("code", {}, api.ApiEndpoint || "")),
      table(`${rows.length} routes`, [["Route", (r) => h("code", {}, r.route)], ["Function", (r) => target(r.uri ? (r.uri.includes("function:") ? r.uri : arnName(r.uri)) : "")]], rows, "No routes."));
  }));
  const urls = await functionUrls();
  main.replaceChildren(h("h1", {}, "APIs"), ...rest, ...http, urls);
  if (!rest.length && !http.length && !urls.children.length) main.replaceChildren(h("h1", {}, "APIs"), h("p", { class: "muted" }, "No APIs."));
}

/** Function URLs (the console API's view: every page of ListFunctions, then ListFunctionUrlConfigs of each). */
async function functionUrls() {
  const { FunctionUrls = [] } = await view("function-urls");
  const rows = FunctionUrls.map((u) => ({ ...u, name: u.FunctionName }));
  if (!rows.length) return h("section");
  return h("section", { "aria-label": "Function URLs" }, h("h2", {}, "Function URLs"), table(`${rows.length} function URLs`, [
    ["URL", (u) => h("code", {}, u.FunctionUrl)], ["Auth", (u) => u.AuthType],
    ["Function", (u) => h("a", { href: `#/functions/${encodeURIComponent(u.name)}` }, u.name)],
  ], rows));
}

// The console's shell: hash routes (#/functions/name) to page modules, and polling for live pages.
import { h, errorBox, state, view } from "./lib.js";

const ROUTES = {
  "": () => import("./pages/overview.js"),
  functions: () => import("./pages/functions.js"),
  map: () => import("./pages/traces.js"),
  traces: () => import("./pages/traces.js"),
  queues: () => import("./pages/queues.js"),
  tables: () => import("./pages/tables.js"),
  streams: () => import("./pages/streams.js"),
  events: () => import("./pages/events.js"),
  apis: () => import("./pages/apis.js"),
  stacks: () => import("./pages/stacks.js"),
  workflows: () => import("./pages/workflows.js"),
  logs: () => import("./pages/logs.js"),
  metrics: () => import("./pages/metrics.js"),
};

let timer = null;
let generation = 0;

async function route(event) {
  const [section = "", ...rest] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  clearInterval(timer);
  const mine = ++generation;
  for (const a of document.querySelectorAll("nav a")) {
    const target = a.getAttribute("href").replace(/^#\/?/, "");
    a.toggleAttribute("aria-current", target === section);
    if (target === section) a.setAttribute("aria-current", "page");
  }
  const main = document.getElementById("main");
  const load = ROUTES[section];
  if (!load) { main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, `No page ${section}.`)); return; }
  const page = await load();
  // A page's render(main, args, section) draws it; it may return a refresh() to run every few seconds.
  const render = async () => {
    try {
      return await page.render(main, rest, section);
    } catch (error) {
      main.replaceChildren(h("h1", {}, "Error"), errorBox(error));
      return null;
    }
  };
  const refresh = await render();
  // After a navigation the new page's content takes the focus (not on the first load: Tab starts at the skip link).
  if (event && mine === generation) main.focus({ preventScroll: true });
  if (typeof refresh === "function") {
    timer = setInterval(() => { if (!document.hidden && mine === generation) refresh(); }, 3000);
  }
}

async function start() {
  try {
    const overview = await view("overview");
    state.account = overview.account;
    state.region = state.region || overview.region;
    document.getElementById("scope").textContent = `account ${overview.account} · ${state.region}`;
  } catch { /* the pages say what fails */ }
  window.addEventListener("hashchange", route);
  // The skip link moves the focus to the content without touching the hash, which names the page.
  document.querySelector(".skip").addEventListener("click", (e) => {
    e.preventDefault();
    document.getElementById("main").focus();
  });
  await route();
}

start();

// Unit tests of the scan page's service worker (web/src/sw.js): the file itself runs in
// a sandbox with stand-ins for the Cache API, fetch, clients and notifications, and
// gets its install, activate, fetch, push and notificationclick events.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

import { serviceWorkerSource } from "../vite.config.mjs";

const ORIGIN = "https://rollcall.test";
const TEMPLATE = readFileSync(new URL("../src/sw.js", import.meta.url), "utf8");
const FILES = [
  "/assets/scan-abc.js",
  "/assets/index.esm-fs.js",
  "/assets/scan-api-x.css",
  "/manifest.webmanifest",
  "/scan.html",
];

class FakeCache {
  constructor() {
    this.entries = new Map();
  }
  static key(request) {
    return new URL(typeof request === "string" ? request : request.url, ORIGIN).href;
  }
  async match(request) {
    return this.entries.get(FakeCache.key(request))?.clone();
  }
  async put(request, response) {
    this.entries.set(FakeCache.key(request), response);
  }
  async addAll(requests) {
    const responses = await Promise.all(requests.map((r) => this.sw.fetch(r)));
    requests.forEach((r, i) => {
      this.entries.set(FakeCache.key(r), responses[i]);
    });
  }
}

class FakeCaches {
  constructor(sw) {
    this.sw = sw;
    this.byName = new Map();
  }
  async open(name) {
    if (!this.byName.has(name)) {
      const cache = new FakeCache();
      cache.sw = this.sw;
      this.byName.set(name, cache);
    }
    return this.byName.get(name);
  }
  async keys() {
    return [...this.byName.keys()];
  }
  async delete(name) {
    return this.byName.delete(name);
  }
  async match(request, { cacheName } = {}) {
    const names = cacheName ? [cacheName] : [...this.byName.keys()];
    for (const name of names) {
      const found = await this.byName.get(name)?.match(request);
      if (found) return found;
    }
    return undefined;
  }
}

/** Loads sw.js (with `files` as its precache) in a sandbox; `net(request)` is the network. */
function loadWorker({ files = FILES, version = "v2", net, timeout } = {}) {
  const listeners = {};
  const sw = {
    fetched: [],
    shown: [],
    opened: [],
    focused: [],
    claimed: 0,
    windows: [],
    net: net ?? ((request) => new Response(`net ${new URL(request.url).pathname}`)),
  };
  sw.fetch = async (input) => {
    const request = typeof input === "string" ? new Request(new URL(input, ORIGIN).href) : input;
    sw.fetched.push(request);
    return sw.net(request);
  };
  class SwRequest extends Request {
    constructor(input, init) {
      super(typeof input === "string" ? new URL(input, ORIGIN).href : input, init);
    }
  }
  sw.caches = new FakeCaches(sw);
  const self = {
    location: new URL("/sw.js", ORIGIN),
    addEventListener: (type, fn) => (listeners[type] = fn),
    clients: {
      claim: async () => void sw.claimed++,
      matchAll: async () => sw.windows,
      openWindow: async (url) => void sw.opened.push(url),
    },
    registration: { showNotification: async (title, options) => void sw.shown.push({ title, options }) },
  };
  const context = vm.createContext({
    self,
    caches: sw.caches,
    fetch: sw.fetch,
    Request: SwRequest,
    Response,
    URL,
    Promise,
    setTimeout: timeout ?? setTimeout,
    clearTimeout,
    console,
  });
  vm.runInContext(serviceWorkerSource(TEMPLATE, { version, files }), context, { filename: "sw.js" });
  sw.api = self.rollcallSW;
  sw.dispatch = async (type, event = {}) => {
    const waits = [];
    let responded = null;
    const ev = { ...event, waitUntil: (p) => waits.push(p), respondWith: (p) => (responded = p) };
    listeners[type](ev);
    await Promise.all(waits);
    return responded;
  };
  sw.get = (path, init = {}) => sw.dispatch("fetch", { request: new Request(new URL(path, ORIGIN).href, init) });
  sw.navigate = (path) =>
    sw.dispatch("fetch", { request: { url: new URL(path, ORIGIN).href, method: "GET", mode: "navigate" } });
  return sw;
}

const offline = () => Promise.reject(new TypeError("Failed to fetch"));

test("install precaches every listed file, fresh from the server", async () => {
  const sw = loadWorker();
  await sw.dispatch("install");
  assert.deepEqual(await sw.caches.keys(), ["rollcall-precache-v2"]);
  const cache = await sw.caches.open("rollcall-precache-v2");
  assert.deepEqual([...cache.entries.keys()].sort(), FILES.map((f) => ORIGIN + f).sort());
  assert.ok(
    sw.fetched.every((r) => r.cache === "reload"),
    "not from the HTTP cache",
  );
});

test("activate deletes older versions only, keeps the runtime copy, claims the pages", async () => {
  const sw = loadWorker();
  for (const name of ["rollcall-precache-v1", "rollcall-precache-v2", "rollcall-runtime", "someone-else"])
    await sw.caches.open(name);
  await sw.dispatch("activate");
  assert.deepEqual((await sw.caches.keys()).sort(), ["rollcall-precache-v2", "rollcall-runtime", "someone-else"]);
  assert.equal(sw.claimed, 1);
  assert.equal(sw.api.isOldCache("rollcall-precache-v1"), true);
  assert.equal(sw.api.isOldCache("rollcall-precache-v2"), false);
});

test("routes: cross-origin and non-GET untouched, navigations, the config, precached files", () => {
  const { routeFor } = loadWorker().api;
  const req = (url, method = "GET", mode = "cors") => ({ url, method, mode });
  const cases = [
    [req("https://europe-west1-x.cloudfunctions.net/scan", "POST"), "network"],
    [req("https://europe-west1-x.cloudfunctions.net/scan", "OPTIONS"), "network"],
    [req("https://firestore.googleapis.com/v1/projects/p"), "network"],
    [req("http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:lookup"), "network"],
    [req("https://other.test/assets/scan-abc.js"), "network"],
    [req(`${ORIGIN}/scan.html`, "GET", "navigate"), "page"],
    [req(`${ORIGIN}/scan.html?from=qr`, "GET", "navigate"), "page"],
    [req(`${ORIGIN}/rollcall-config.json`), "config"],
    [req(`${ORIGIN}/rollcall-config.json?x=1`), "config"],
    [req(`${ORIGIN}/rollcall-config.json`, "POST"), "network"],
    [req(`${ORIGIN}/assets/scan-abc.js`), "precache"],
    [req(`${ORIGIN}/assets/scan-abc.js.map`), "network"],
    [req(`${ORIGIN}/assets/index-teacher.js`), "network"],
  ];
  for (const [request, route] of cases)
    assert.equal(routeFor(request, ORIGIN), route, `${request.method} ${request.url}`);
});

test("a cross-origin request gets no answer from the worker (the browser sends it)", async () => {
  const sw = loadWorker();
  assert.equal(await sw.get("https://scan.example/", { method: "POST", body: "{}" }), null);
  assert.equal(await sw.get("http://127.0.0.1:8080/google.firestore.v1.Firestore/Listen"), null);
  assert.equal(sw.fetched.length, 0);
});

test("precached files come from the cache, without the network", async () => {
  const sw = loadWorker();
  await sw.dispatch("install");
  sw.fetched.length = 0;
  sw.net = offline;
  const response = await sw.get("/assets/index.esm-fs.js");
  assert.equal(await response.text(), "net /assets/index.esm-fs.js");
  assert.equal(sw.fetched.length, 0);
});

test("a navigation goes to the network first, to the precached page offline", async () => {
  const sw = loadWorker();
  await sw.dispatch("install");
  sw.net = (r) => new Response(`fresh ${new URL(r.url).pathname}`);
  assert.equal(await (await sw.navigate("/scan.html")).text(), "fresh /scan.html");
  sw.net = offline;
  assert.equal(await (await sw.navigate("/scan.html")).text(), "net /scan.html");
  assert.equal(await (await sw.navigate("/scan.html?from=qr")).text(), "net /scan.html");
});

test("a navigation without network and without a precached page fails", async () => {
  const sw = loadWorker({ net: offline });
  await assert.rejects(sw.navigate("/scan.html"), /Failed to fetch/);
});

test("a navigation the network answers too slowly comes from the cache", async () => {
  const sw = loadWorker({ timeout: (fn, _ms, ...args) => setTimeout(fn, 0, ...args) });
  await sw.dispatch("install");
  sw.net = () => new Promise(() => {}); // never answers
  assert.equal(await (await sw.navigate("/scan.html")).text(), "net /scan.html");
});

test("the runtime config: network first, the last good copy offline, never kept over a newer one", async () => {
  let version = 1;
  const sw = loadWorker({ net: () => new Response(JSON.stringify({ version }), { status: 200 }) });
  assert.deepEqual(await (await sw.get("/rollcall-config.json", { cache: "no-cache" })).json(), { version: 1 });
  version = 2;
  assert.deepEqual(await (await sw.get("/rollcall-config.json")).json(), { version: 2 }, "not from the cache");
  sw.net = offline;
  assert.deepEqual(await (await sw.get("/rollcall-config.json")).json(), { version: 2 }, "the last copy");
  assert.ok(await sw.caches.match("/rollcall-config.json", { cacheName: "rollcall-runtime" }));
});

test("the runtime config: an error answer is passed on and not kept; no copy offline is an error", async () => {
  const sw = loadWorker({ net: () => new Response("gone", { status: 404 }) });
  assert.equal((await sw.get("/rollcall-config.json")).status, 404);
  assert.equal(await sw.caches.match("/rollcall-config.json"), undefined);
  sw.net = offline;
  await assert.rejects(sw.get("/rollcall-config.json"), /Failed to fetch/);
});

test("a push from FCM shows its title, body and tag", async () => {
  const sw = loadWorker();
  const payload = {
    from: "1234",
    fcmMessageId: "m1",
    notification: {
      title: "Attendance recorded",
      body: "You were marked present for this session.",
      tag: "rollcall-s1",
    },
    data: { type: "scan", session_id: "s1", status: "present" },
  };
  await sw.dispatch("push", { data: { json: () => payload, text: () => JSON.stringify(payload) } });
  assert.equal(sw.shown.length, 1);
  const [{ title, options }] = sw.shown;
  assert.equal(title, "Attendance recorded");
  assert.equal(options.body, "You were marked present for this session.");
  assert.equal(options.tag, "rollcall-s1");
  assert.equal(options.renotify, true);
  assert.equal(options.data.url, "/scan.html");
  assert.equal(options.data.session_id, "s1");
});

test("a push that is not FCM's shape still shows something", async () => {
  const sw = loadWorker();
  await sw.dispatch("push", { data: { json: () => ({ title: "Hi", body: "there" }) } });
  await sw.dispatch("push", { data: { json: () => JSON.parse("not json"), text: () => "plain text" } });
  await sw.dispatch("push", { data: null });
  assert.deepEqual(
    sw.shown.map((n) => [n.title, n.options.body, n.options.tag]),
    [
      ["Hi", "there", undefined],
      ["Rollcall", "plain text", undefined],
      ["Rollcall", "", undefined],
    ],
  );
});

test("a click on a notification focuses the open scan page, or opens it", async () => {
  const sw = loadWorker();
  let closed = 0;
  const notification = { close: () => closed++, data: { url: "https://evil.test/" } };
  sw.windows = [{ url: `${ORIGIN}/#/session/s1`, focus: async () => sw.focused.push("dashboard") }];
  await sw.dispatch("notificationclick", { notification });
  assert.deepEqual(sw.opened, [`${ORIGIN}/scan.html`], "the dashboard is not the scan page; the data's url is ignored");
  sw.windows.push({ url: `${ORIGIN}/scan.html`, focus: async () => sw.focused.push("scan") });
  await sw.dispatch("notificationclick", { notification });
  assert.deepEqual(sw.focused, ["scan"]);
  assert.equal(sw.opened.length, 1);
  assert.equal(closed, 2);
});

test("the template holds the placeholder exactly once", () => {
  assert.throws(() => serviceWorkerSource("const M = 1;", { version: "x", files: [] }), /once/);
  assert.throws(() => serviceWorkerSource("__ROLLCALL_PRECACHE__ __ROLLCALL_PRECACHE__", {}), /once/);
  assert.match(
    serviceWorkerSource(TEMPLATE, { version: "x", files: ["/a"] }),
    /const MANIFEST = \{"version":"x","files":\["\/a"\]\};/,
  );
});

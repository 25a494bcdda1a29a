// Unit tests of the installable scan page: the build-time precache list and the Vite
// plugin that writes sw.js (web/vite.config.mjs), and the service worker registration
// (web/src/pwa.js).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";

import { _resetForTests, activeRegistration, registerServiceWorker, SW_SCOPE, SW_URL } from "../src/pwa.js";
import { cacheVersion, linkedPaths, manifestIcons, precacheFiles, rollcallServiceWorker } from "../vite.config.mjs";

const chunk = (
  fileName,
  { name = fileName, isEntry = false, imports = [], dynamicImports = [], css = [], assets = [] } = {},
) => ({
  type: "chunk",
  fileName,
  name,
  isEntry,
  imports,
  dynamicImports,
  code: `// ${fileName}`,
  viteMetadata: { importedCss: new Set(css), importedAssets: new Set(assets) },
});
const asset = (fileName, source) => ({ type: "asset", fileName, source });

const SCAN_HTML = `<!doctype html><html><head>
<link rel="icon" href="/favicon.svg" type="image/svg+xml" />
<link rel="manifest" href="/manifest.webmanifest" />
<script type="module" crossorigin src="/assets/scan-1.js"></script>
<link rel="modulepreload" crossorigin href="/assets/shared-1.js">
<link rel="stylesheet" crossorigin href="/assets/shared-1.css">
<a href="https://example.com/help">help</a><a href="//cdn.example/x.js">x</a>
</head></html>`;

/** Two pages sharing a chunk; the scan page loads Firestore and messaging later, and
 * Firestore a helper of its own. */
function bundle() {
  const files = [
    chunk("assets/scan-1.js", {
      name: "scan",
      isEntry: true,
      imports: ["assets/shared-1.js"],
      dynamicImports: ["assets/firestore-1.js", "assets/messaging-1.js"],
    }),
    chunk("assets/index-1.js", {
      name: "index",
      isEntry: true,
      imports: ["assets/shared-1.js"],
      dynamicImports: ["assets/teacher-only-1.js"],
    }),
    chunk("assets/shared-1.js", { css: ["assets/shared-1.css"], assets: ["assets/logo-1.svg"] }),
    chunk("assets/firestore-1.js", { imports: ["assets/fs-helper-1.js"] }),
    chunk("assets/fs-helper-1.js", { dynamicImports: ["assets/firestore-1.js"] }), // a cycle
    chunk("assets/messaging-1.js"),
    chunk("assets/teacher-only-1.js"),
    asset("assets/shared-1.css", "body{}"),
    asset("assets/logo-1.svg", "<svg/>"),
    asset("assets/scan-1.js.map", "{}"),
    asset("scan.html", SCAN_HTML),
    asset("index.html", "<html></html>"),
  ];
  return Object.fromEntries(files.map((f) => [f.fileName, f]));
}

test("the scan page's precache: its HTML, chunks (also dynamic ones), CSS, assets and links; nothing of the dashboard", () => {
  const files = precacheFiles(bundle(), { entry: "scan", html: "scan.html", extra: ["/icons/icon-192.png"] });
  assert.deepEqual(files, [
    "/assets/firestore-1.js",
    "/assets/fs-helper-1.js",
    "/assets/logo-1.svg",
    "/assets/messaging-1.js",
    "/assets/scan-1.js",
    "/assets/shared-1.css",
    "/assets/shared-1.js",
    "/favicon.svg",
    "/icons/icon-192.png",
    "/manifest.webmanifest",
    "/scan.html",
  ]);
});

test("the precache list refuses a bundle without the entry or its page", () => {
  assert.throws(
    () => precacheFiles(bundle(), { entry: "student", html: "scan.html" }),
    /no entry chunk named "student"/,
  );
  const b = bundle();
  delete b["scan.html"];
  assert.throws(() => precacheFiles(b, { entry: "scan", html: "scan.html" }), /no scan.html/);
});

test("linked paths: same-origin src and href only, without query or fragment", () => {
  assert.deepEqual(
    linkedPaths(
      '<img src="/a.png?v=1"><a href="/b#c"></a><a href="https://x/y"></a><a href="//x/y"></a><a href="rel.html"></a>',
    ),
    ["/a.png", "/b"],
  );
});

test("manifest icons", () => {
  assert.deepEqual(manifestIcons({ icons: [{ src: "/icons/a.png" }, { src: "https://cdn/b.png" }] }), ["/icons/a.png"]);
  assert.deepEqual(manifestIcons({}), []);
});

test("the cache version follows paths and contents", () => {
  const a = cacheVersion([["/scan.html", "one"]]);
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(cacheVersion([["/scan.html", "one"]]), a);
  assert.notEqual(cacheVersion([["/scan.html", "two"]]), a);
  assert.notEqual(cacheVersion([["/index.html", "one"]]), a);
  assert.equal(cacheVersion([["/x", Buffer.from("one")]]), cacheVersion([["/x", "one"]]));
});

function publicDir({ icons = ["/icons/icon-192.png"], missing = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "rollcall-public-"));
  mkdirSync(join(dir, "icons"));
  writeFileSync(join(dir, "manifest.webmanifest"), JSON.stringify({ icons: icons.map((src) => ({ src })) }));
  for (const path of ["/favicon.svg", ...icons])
    if (!missing.includes(path)) writeFileSync(join(dir, path), `bytes of ${path}`);
  return dir;
}

function runPlugin(dir, b = bundle()) {
  const template = join(dir, "sw-template.js");
  writeFileSync(template, "const MANIFEST = __ROLLCALL_PRECACHE__;");
  const plugin = rollcallServiceWorker({ template, publicDir: dir });
  const emitted = [];
  plugin.generateBundle.call({ emitFile: (file) => emitted.push(file) }, {}, b);
  return { plugin, emitted };
}

test("the plugin writes sw.js with the list and a version, only in a build, after the other plugins", () => {
  const { plugin, emitted } = runPlugin(publicDir());
  assert.equal(plugin.apply, "build");
  assert.equal(plugin.enforce, "post");
  assert.equal(emitted.length, 1);
  assert.equal(emitted[0].type, "asset");
  assert.equal(emitted[0].fileName, "sw.js");
  const manifest = JSON.parse(emitted[0].source.replace(/^const MANIFEST = /, "").replace(/;$/, ""));
  assert.ok(manifest.files.includes("/scan.html"));
  assert.ok(manifest.files.includes("/icons/icon-192.png"));
  assert.ok(manifest.files.includes("/assets/messaging-1.js"));
  assert.match(manifest.version, /^[0-9a-f]{16}$/);
});

test("the version changes when a precached file changes, not when the dashboard does", () => {
  const version = (b) => JSON.parse(runPlugin(publicDir(), b).emitted[0].source.slice(17, -1)).version;
  const base = version(bundle());
  const scanChanged = bundle();
  scanChanged["assets/firestore-1.js"].code += "changed";
  const dashboardChanged = bundle();
  dashboardChanged["assets/teacher-only-1.js"].code += "changed";
  assert.notEqual(version(scanChanged), base);
  assert.equal(version(dashboardChanged), base);
});

test("the plugin fails the build when a precached file does not exist", () => {
  assert.throws(
    () => runPlugin(publicDir({ missing: ["/icons/icon-192.png"] })),
    /\/icons\/icon-192.png is neither built nor in/,
  );
});

// ---- registration ----------------------------------------------------------------------

afterEach(() => _resetForTests());

function fakeBrowser({ readyState = "complete", secure = true, register } = {}) {
  const calls = [];
  const listeners = {};
  const registration = { scope: `https://rollcall.test${SW_SCOPE}` };
  const nav = {
    serviceWorker: {
      register:
        register ??
        (async (url, options) => {
          calls.push([url, options]);
          return registration;
        }),
      ready: Promise.resolve(registration),
    },
  };
  const win = {
    isSecureContext: secure,
    document: { readyState },
    addEventListener: (type, fn) => (listeners[type] = fn),
  };
  return { nav, win, calls, listeners, registration };
}

test("the worker is registered for the scan page and its short path only, after the page has loaded", async () => {
  const b = fakeBrowser({ readyState: "interactive" });
  const pending = registerServiceWorker({ nav: b.nav, win: b.win, dev: false });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(b.calls.length, 0, "not before load");
  b.listeners.load();
  assert.equal(await pending, b.registration);
  assert.deepEqual(b.calls, [
    [SW_URL, { scope: "/scan.html" }],
    [SW_URL, { scope: "/c" }],
  ]);
  assert.equal(await registerServiceWorker({ nav: b.nav, win: b.win, dev: false }), b.registration, "once");
  assert.equal(b.calls.length, 2);
  assert.equal(await activeRegistration({ nav: b.nav }), b.registration);
});

test("no worker on the dev server, without service workers, or outside a secure context", async () => {
  for (const [options, why] of [
    [{ dev: true }, "dev"],
    [{ nav: {} }, "unsupported"],
    [{ win: { ...fakeBrowser().win, isSecureContext: false } }, "http"],
  ]) {
    _resetForTests();
    const b = fakeBrowser();
    assert.equal(await registerServiceWorker({ nav: b.nav, win: b.win, dev: false, ...options }), null, why);
    assert.equal(b.calls.length, 0, why);
  }
});

test("a failed registration leaves the page working (null, a warning)", async () => {
  const b = fakeBrowser({ register: async () => Promise.reject(new Error("SecurityError")) });
  const warn = console.warn;
  const warned = [];
  console.warn = (...args) => warned.push(args);
  try {
    assert.equal(await registerServiceWorker({ nav: b.nav, win: b.win, dev: false }), null);
  } finally {
    console.warn = warn;
  }
  assert.equal(warned.length, 1);
});

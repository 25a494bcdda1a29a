// Rollcall's service worker, for the student scan page only (decision 0010). pwa.js
// registers it with the scope /scan.html, so the teacher dashboard never runs through it.
//
// * Precache: the scan page's built files (the HTML, its hashed JS and CSS chunks,
//   including the dynamically imported Firestore, messaging and jsQR chunks, the
//   manifest and its icons). The Vite plugin in web/vite.config.mjs lists them at build
//   time and writes them, with a version computed from their contents, into MANIFEST
//   below; the built file is web/dist/sw.js. One cache per version; activate deletes
//   the older ones.
// * Fetch: cross-origin requests (the scan function, Firebase APIs, the emulators) and
//   anything but GET are left alone (never cached). A navigation: the network first,
//   the precached page when it fails or is slow. /rollcall-config.json: the network
//   first, the last good copy only when the network fails (a cache of its own,
//   replaced by every successful fetch). Precached files: from the cache. Anything
//   else: the network.
// * Push: a push shows its notification (title, body, tag: a repeat replaces the
//   first); a click opens (or focuses) the scan page.
//
// A classic script without imports, which every browser runs as a service worker. The
// decisions are plain functions, exposed as self.rollcallSW for the unit tests (which
// run this file in a sandbox: web/test/sw.test.js).
/* eslint-env serviceworker */
"use strict";

(() => {
  const MANIFEST = __ROLLCALL_PRECACHE__; // {version, files: ["/scan.html", ...]}
  const PREFIX = "rollcall-precache-";
  const PRECACHE = PREFIX + MANIFEST.version;
  const RUNTIME = "rollcall-runtime"; // the runtime config's last good copy
  const PAGE = "/scan.html";
  const CONFIG = "/rollcall-config.json";
  const NAVIGATION_TIMEOUT_MS = 4000; // a page this slow comes from the cache (weak networks)
  const precached = new Set(MANIFEST.files);

  /**
   * What to do with a request: "network" (leave it alone), "page" (navigation: network,
   * else the precached page), "config" (network, else the last copy), "precache".
   */
  function routeFor(request, origin, files = precached) {
    if (request.method !== "GET") return "network";
    const url = new URL(request.url);
    if (url.origin !== origin) return "network";
    if (request.mode === "navigate") return "page";
    if (url.pathname === CONFIG) return "config";
    if (files.has(url.pathname)) return "precache";
    return "network";
  }

  /** Caches of other versions of this worker (the runtime cache is kept). */
  function isOldCache(name, current = PRECACHE) {
    return name.startsWith(PREFIX) && name !== current;
  }

  /**
   * The notification for a push. FCM delivers {notification: {title, body, tag, icon},
   * data, fcmOptions?: {link}, ...} (its webpush.notification fields merged in); a plain
   * {title, body, tag} is taken too.
   */
  function notificationFromPush(payload) {
    const p = payload && typeof payload === "object" ? payload : {};
    const n = p.notification && typeof p.notification === "object" ? p.notification : p;
    const data = p.data && typeof p.data === "object" ? p.data : {};
    const options = {
      body: String(n.body ?? data.body ?? ""),
      icon: n.icon ?? "/icons/icon-192.png",
      badge: "/icons/maskable-192.png",
      data: { ...data, url: PAGE },
    };
    const tag = n.tag ?? data.tag;
    if (tag) {
      options.tag = String(tag);
      options.renotify = true; // the same tag again (an override after the scan): say so
    }
    return { title: String(n.title ?? data.title ?? "Rollcall"), options };
  }

  /** Where a click on a notification leads: the scan page on this origin, nothing else. */
  function clickTarget(origin) {
    return new URL(PAGE, origin).href;
  }

  async function precache() {
    const cache = await caches.open(PRECACHE);
    // "reload": straight from the server, not from the HTTP cache (an older page)
    await cache.addAll(MANIFEST.files.map((file) => new Request(file, { cache: "reload" })));
  }

  async function activate() {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => isOldCache(name)).map((name) => caches.delete(name)));
    await self.clients.claim();
  }

  async function page(request) {
    const cached = () => caches.match(PAGE, { cacheName: PRECACHE });
    const network = fetch(request);
    network.catch(() => {}); // answered from the cache meanwhile: a late failure is no error
    let timer;
    const slow = new Promise((resolve) => {
      timer = setTimeout(resolve, NAVIGATION_TIMEOUT_MS, "slow");
    });
    try {
      const first = await Promise.race([network, slow]);
      if (first !== "slow") return first;
      return (await cached()) ?? (await network);
    } catch (err) {
      const fallback = await cached();
      if (fallback) return fallback;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async function config(request) {
    try {
      const response = await fetch(request);
      if (response.ok) {
        const cache = await caches.open(RUNTIME);
        await cache.put(CONFIG, response.clone());
      }
      return response;
    } catch (err) {
      const copy = await caches.match(CONFIG, { cacheName: RUNTIME });
      if (copy) return copy;
      throw err;
    }
  }

  async function fromPrecache(request) {
    const url = new URL(request.url);
    return (await caches.match(url.pathname, { cacheName: PRECACHE })) ?? fetch(request);
  }

  async function openPage(origin) {
    const target = clickTarget(origin);
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).pathname === PAGE);
    if (open) return open.focus();
    return self.clients.openWindow(target);
  }

  self.addEventListener("install", (event) => event.waitUntil(precache()));
  self.addEventListener("activate", (event) => event.waitUntil(activate()));
  self.addEventListener("fetch", (event) => {
    const route = routeFor(event.request, self.location.origin);
    if (route === "page") event.respondWith(page(event.request));
    else if (route === "config") event.respondWith(config(event.request));
    else if (route === "precache") event.respondWith(fromPrecache(event.request));
  });
  self.addEventListener("push", (event) => {
    let payload = null;
    try {
      payload = event.data ? event.data.json() : null;
    } catch {
      payload = { body: event.data.text() };
    }
    const { title, options } = notificationFromPush(payload);
    event.waitUntil(self.registration.showNotification(title, options));
  });
  self.addEventListener("notificationclick", (event) => {
    event.notification.close();
    event.waitUntil(openPage(self.location.origin));
  });

  self.rollcallSW = { MANIFEST, PRECACHE, RUNTIME, routeFor, isOldCache, notificationFromPush, clickTarget };
})();

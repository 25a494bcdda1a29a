// Vite build of the Rollcall web app: two pages (teacher dashboard, student scan page),
// plain ES modules, no framework. Root is this folder; output goes to web/dist, which
// firebase.json's Hosting serves (the emulator locally, Firebase Hosting in production).
//
// The scan page is also an installable web app that opens offline (decision 0010): the
// plugin below writes web/dist/sw.js from web/src/sw.js with the list of the files the
// scan page needs (its precache) and a version computed from their contents.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const publicDir = resolve(root, "public");

export const SW_PLACEHOLDER = "__ROLLCALL_PRECACHE__";

/** Same-origin paths an HTML page links to (src and href attributes), without query or fragment. */
export function linkedPaths(html) {
  const paths = [];
  for (const [, url] of String(html).matchAll(/\s(?:src|href)="([^"]+)"/g)) {
    if (url.startsWith("/") && !url.startsWith("//")) paths.push(url.split(/[?#]/)[0]);
  }
  return paths;
}

/** The icons a web app manifest lists, as paths. */
export function manifestIcons(manifest) {
  return (manifest.icons ?? []).map((icon) => icon.src).filter((src) => src.startsWith("/"));
}

/**
 * What the page built from `html` needs, as sorted absolute paths: the HTML, its entry
 * chunk and every chunk that chunk imports, statically or dynamically (so the Firestore
 * and messaging chunks, loaded later, are there offline too), their CSS and assets,
 * what the HTML links, and `extra`. Source maps are left out. `bundle` is Rollup's
 * output bundle (fileName -> chunk or asset).
 */
export function precacheFiles(bundle, { entry, html, extra = [] }) {
  const start = Object.values(bundle).find((f) => f.type === "chunk" && f.isEntry && f.name === entry);
  if (!start) throw new Error(`precache: no entry chunk named "${entry}" in the bundle`);
  if (!bundle[html]) throw new Error(`precache: no ${html} in the bundle`);
  const files = new Set([html]);
  const seen = new Set();
  const walk = (chunk) => {
    if (chunk?.type !== "chunk" || seen.has(chunk.fileName)) return;
    seen.add(chunk.fileName);
    files.add(chunk.fileName);
    for (const css of chunk.viteMetadata?.importedCss ?? []) files.add(css);
    for (const asset of chunk.viteMetadata?.importedAssets ?? []) files.add(asset);
    for (const name of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) walk(bundle[name]);
  };
  walk(start);
  const source = bundle[html].source;
  for (const path of [
    ...linkedPaths(typeof source === "string" ? source : new TextDecoder().decode(source)),
    ...extra,
  ]) {
    files.add(path.replace(/^\//, ""));
  }
  return [...files]
    .filter((f) => !f.endsWith(".map"))
    .map((f) => `/${f}`)
    .sort();
}

/** A short version from the files' paths and contents: any change gives a new cache. */
export function cacheVersion(entries) {
  const hash = createHash("sha256");
  for (const [path, content] of entries) hash.update(`${path}\0`).update(content).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** The service worker: the template with its placeholder replaced by {version, files}. */
export function serviceWorkerSource(template, manifest) {
  const parts = template.split(SW_PLACEHOLDER);
  if (parts.length !== 2) throw new Error(`the service worker template must hold ${SW_PLACEHOLDER} once`);
  return parts.join(JSON.stringify(manifest));
}

/** Writes sw.js (the scan page's service worker with its precache list) into the build. */
export function rollcallServiceWorker({ template, publicDir, entry = "scan", html = "scan.html", output = "sw.js" }) {
  return {
    name: "rollcall-service-worker",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const manifest = JSON.parse(readFileSync(resolve(publicDir, "manifest.webmanifest"), "utf8"));
      const extra = ["/manifest.webmanifest", ...manifestIcons(manifest)];
      const files = precacheFiles(bundle, { entry, html, extra });
      const content = (path) => {
        const built = bundle[path.slice(1)];
        if (built) return built.type === "chunk" ? built.code : built.source;
        const copied = resolve(publicDir, path.slice(1));
        if (!existsSync(copied)) throw new Error(`precache: ${path} is neither built nor in ${publicDir}`);
        return readFileSync(copied);
      };
      const text = readFileSync(template, "utf8");
      const version = cacheVersion([[output, text], ...files.map((path) => [path, content(path)])]);
      this.emitFile({ type: "asset", fileName: output, source: serviceWorkerSource(text, { version, files }) });
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  publicDir,
  plugins: [rollcallServiceWorker({ template: resolve(root, "src/sw.js"), publicDir })],
  build: {
    outDir: resolve(root, "dist"),
    emptyOutDir: true,
    target: "es2020",
    // No source maps in the build Hosting serves (2.3 MB of them were deployed); for
    // debugging, ROLLCALL_SOURCEMAPS=1 writes them next to the chunks without the
    // sourceMappingURL comment, and firebase.json's hosting.ignore keeps them out of a
    // deploy all the same.
    sourcemap: process.env.ROLLCALL_SOURCEMAPS ? "hidden" : false,
    // Firestore (the largest part of the SDK, ~170 kB gzip) is imported dynamically
    // (config.js), so it is a chunk of its own: the scan page loads it only after a
    // scan, and a cheap phone starts with app + auth (~40 kB gzip) only.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      input: {
        index: resolve(root, "index.html"),
        scan: resolve(root, "scan.html"),
      },
    },
  },
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
});

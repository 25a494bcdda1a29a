// Vite build of the Rollcall web app: two pages (teacher dashboard, student scan page),
// plain ES modules, no framework. Root is this folder; output goes to web/dist, which
// firebase.json's Hosting serves (the emulator locally, Firebase Hosting in production).
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  publicDir: resolve(root, "public"),
  build: {
    outDir: resolve(root, "dist"),
    emptyOutDir: true,
    target: "es2020",
    sourcemap: true,
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

// Arrivals per minute as a small SVG bar chart (no chart library). Scales to its box.
import { fmtTime } from "./dom.js";
import { t } from "./i18n/index.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Draw series [{at, count}] into `host` (replaces its content), at the host's width. */
export function drawArrivals(host, series) {
  const W = Math.max(320, Math.round(host.clientWidth || 600));
  const H = 190;
  const pad = { l: 36, r: 8, t: 12, b: 26 };
  const max = Math.max(1, ...series.map((s) => s.count));
  const total = series.reduce((a, s) => a + s.count, 0);
  const root = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": series.length ? t("panel.chartLabel", { total, count: series.length, max }) : t("panel.chartNone"),
    class: "chart-svg",
  });
  const plotW = W - pad.l - pad.r;
  const plotH = H - pad.t - pad.b;
  // gridlines: 0, max/2, max
  for (const v of [0, Math.round(max / 2), max]) {
    const y = pad.t + plotH - (v / max) * plotH;
    root.append(svg("line", { x1: pad.l, x2: W - pad.r, y1: y, y2: y, class: "chart-grid" }));
    root.append(svg("text", { x: pad.l - 6, y: y + 4, "text-anchor": "end", class: "chart-label" }, v));
  }
  const n = Math.max(series.length, 1);
  const slot = plotW / n;
  const bw = Math.max(2, Math.min(40, slot * 0.8));
  series.forEach((s, i) => {
    const x = pad.l + i * slot + (slot - bw) / 2;
    const h = (s.count / max) * plotH;
    if (s.count > 0) {
      const bar = svg("rect", {
        x,
        y: pad.t + plotH - h,
        width: bw,
        height: Math.max(h, 1),
        rx: 2,
        class: "chart-bar",
      });
      bar.append(svg("title", {}, `${fmtTime(s.at)}: ${s.count}`));
      root.append(bar);
    }
  });
  // x labels: first, last, and a few in between
  const every = Math.max(1, Math.ceil(series.length / 6));
  series.forEach((s, i) => {
    if (i % every === 0 || i === series.length - 1) {
      if (i !== series.length - 1 && series.length - 1 - i < every / 2) return;
      root.append(
        svg(
          "text",
          { x: pad.l + i * slot + slot / 2, y: H - 6, "text-anchor": "middle", class: "chart-label" },
          fmtTime(s.at),
        ),
      );
    }
  });
  host.replaceChildren(root);
}

// The live counts: six tiles (summed over the tally shards; "Not yet" against the class
// list) and the arrivals-per-minute chart, drawn again when the counts, its width or
// the minute change.
import { drawArrivals } from "../chart.js";
import { toDate } from "../dom.js";
import { language, t } from "../i18n/index.js";
import { arrivalSeries, notYet } from "../tally.js";
import { computed, html, useEffect, useMemo, useRef, useState } from "../ui.js";

const TILES = [
  ["present", "panel.status.present"],
  ["late", "panel.status.late"],
  ["total", "panel.checkedIn"],
  ["missing", "panel.status.missing"],
  ["excused", "panel.status.excused"],
  ["absent", "panel.status.absent"],
];

export function CountTiles({ store }) {
  const tally = store.tally.value;
  const enrolled = store.enrolled.value.size;
  const value = (key) => (key === "missing" ? (enrolled ? notYet(tally, enrolled) : "–") : tally[key]);
  return html`<dl class="big-counts" aria-live="off">
    ${TILES.map(
      ([key, label]) => html`<div
        class=${`count count-${key}`}
        key=${key}
        title=${key === "total" && enrolled ? t("panel.ofEnrolled", { n: tally.total, enrolled }) : undefined}
      >
        <dt>${t(label)}</dt>
        <dd><strong id=${`count-${key}`}>${String(value(key))}</strong></dd>
      </div>`,
    )}
  </dl>`;
}

export function ArrivalsPanel({ store }) {
  const host = useRef(null);
  const [width, setWidth] = useState(0);
  // the chart's time axis moves on each minute, even without arrivals
  const minute = useMemo(() => computed(() => Math.floor(store.now.value / 60000)), [store]);
  const session = store.session.value;
  const tally = store.tally.value;
  const now = minute.value;
  const lang = language.value; // the chart's label is read out in the page's language
  useEffect(() => {
    const resize = new ResizeObserver(() => setWidth(host.current?.clientWidth ?? 0));
    resize.observe(host.current);
    return () => resize.disconnect();
  }, []);
  useEffect(() => {
    if (!session) return;
    drawArrivals(
      host.current,
      arrivalSeries(tally.arrivals, { start: toDate(session.starts_at), end: toDate(session.ends_at) }),
    );
  }, [session, tally, width, now, lang]);
  return html`<section class="live-panel" aria-labelledby="live-title">
    <h2 id="live-title">${t("panel.arrivals")}</h2>
    <div class="chart" id="arrivals-chart" ref=${host}></div>
  </section>`;
}

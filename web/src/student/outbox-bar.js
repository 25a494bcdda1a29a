// The bar above the view: scans still waiting to be sent, and a scan decided in the
// background (its outcome, with "Show").
import { fmtTime } from "../dom.js";
import { fmt, t } from "../i18n/index.js";
import { outcomeFor } from "../scan-api.js";
import { html } from "../ui.js";
import { statusWord } from "./result-card.js";

/** pending: entries not shown in the view; notice: a decided entry; show(entryId). */
export function OutboxBar({ pending, notice, online, show }) {
  const items = [];
  if (pending.length) {
    const taken = fmt.list(pending.map((e) => fmtTime(new Date(e.taken_at))));
    items.push(html`<div class="outbox-pending" data-count=${pending.length}>
      <span class="pill pill-pending">${t("outbox.pending")}</span>
      ${` ${t("outbox.waiting", { count: pending.length, taken })} `}
      ${online ? t("outbox.sendingShortly") : t("outbox.offline")}
      <button class="btn btn-small" type="button" id="outbox-show" onClick=${() => show(pending[0].id)}>${t("outbox.show")}</button>
    </div>`);
  }
  if (notice) {
    const what =
      notice.state === "accepted"
        ? t("outbox.checkedIn", { status: statusWord(notice.status ?? "present") })
        : outcomeFor(notice.code, notice.kind).title;
    items.push(html`<div class="outbox-done" data-state=${notice.state}>
      <span class=${`pill pill-${notice.state}`}>${notice.state === "accepted" ? t("outbox.accepted") : t("outbox.rejected")}</span>
      ${` ${t("outbox.yourScan", { time: fmtTime(new Date(notice.taken_at)), what })} `}
      <button class="btn btn-small" type="button" onClick=${() => show(notice.id)}>${t("outbox.show")}</button>
    </div>`);
  }
  return html`<div class="outbox" id="outbox" role="status" aria-live="polite" hidden=${items.length === 0}>
    ${items}
  </div>`;
}

// The bar above the view: scans still waiting to be sent, and a scan decided in the
// background (its outcome, with "Show").
import { fmtTime } from "../dom.js";
import { outcomeFor } from "../scan-api.js";
import { html } from "../ui.js";

/** pending: entries not shown in the view; notice: a decided entry; show(entryId). */
export function OutboxBar({ pending, notice, online, show }) {
  const items = [];
  if (pending.length) {
    const taken = pending.map((e) => fmtTime(new Date(e.taken_at))).join(", ");
    items.push(html`<div class="outbox-pending" data-count=${pending.length}>
      <span class="pill pill-pending">Pending</span>
      ${` ${pending.length === 1 ? "1 scan" : `${pending.length} scans`} waiting to be sent (taken ${taken}). `}
      ${online ? "Sending again shortly." : "You are offline: it is sent when the connection is back."}
      <button class="btn btn-small" type="button" id="outbox-show" onClick=${() => show(pending[0].id)}>Show</button>
    </div>`);
  }
  if (notice) {
    const what =
      notice.state === "accepted"
        ? `checked in, ${notice.status ?? "present"}.`
        : `${outcomeFor(notice.code, notice.kind).title}.`;
    items.push(html`<div class="outbox-done" data-state=${notice.state}>
      <span class=${`pill pill-${notice.state}`}>${notice.state === "accepted" ? "Accepted" : "Rejected"}</span>
      ${` Your scan from ${fmtTime(new Date(notice.taken_at))}: ${what} `}
      <button class="btn btn-small" type="button" onClick=${() => show(notice.id)}>Show</button>
    </div>`);
  }
  return html`<div class="outbox" id="outbox" role="status" aria-live="polite" hidden=${items.length === 0}>
    ${items}
  </div>`;
}

// The result card of one scan: sending, pending (kept on the phone, with the next try
// and "Send now"), accepted (naming the course and the session, then "Recorded at …"
// once the attendance record exists, or what the record says when the teacher had set
// the student's status before: the record wins) or rejected (the reason and what to do;
// the server's code and message under "Details").
import { fmtClock, fmtDay, fmtTime, toDate } from "../dom.js";
import { t } from "../i18n/index.js";
import { outcomeFor } from "../scan-api.js";
import { html, useEffect, useRef, useState } from "../ui.js";
import { entryState } from "./store.js";

/** "Distributed Systems, Mon 7 Dec, 09:00", as much of it as is known, or null. */
export function sessionLabel(context) {
  if (!context?.courseName) return null;
  const at = toDate(context.startsAt);
  return at
    ? t("result.sessionLabel", { course: context.courseName, day: fmtDay(at), time: fmtTime(at) })
    : context.courseName;
}

/** "present", "late", … in the page's language. */
export const statusWord = (status) => t(`status.${status}`, { defaultValue: status });

/**
 * The card for `entry`; `record`: {state, at, status, source, reason} of the attendance
 * record; `context`: {courseName, startsAt} of the session; `actions`: {sendNow(entry),
 * back(), openInbox(), signInAgain()}.
 */
export function ResultCard({ entry, sending, online, record, context = null, actions }) {
  const state = entryState(entry, sending);
  const card = useRef(null);
  useEffect(() => {
    if (state === "sending") return;
    (card.current?.querySelector(".btn-primary") ?? card.current?.querySelector("button"))?.focus();
  }, [entry.id, state]);
  const what = entry.kind === "code" ? t("result.whatCode") : t("result.whatScan");
  const taken = new Date(entry.taken_at);
  const code = entry.state ? (entry.code ?? "") : (entry.last_code ?? "");
  let body;
  if (state === "sending") {
    body = html`<div class="result-icon spinner" aria-hidden="true"></div>
      <h1>${t("result.checkingIn")}</h1>
      <p class="muted">${t("result.sending", { what })}</p>`;
  } else if (state === "pending") {
    body = html`<${Pending} entry=${entry} sending=${sending} online=${online} what=${what} actions=${actions} />`;
  } else if (state === "accepted") {
    body = html`<${Accepted} entry=${entry} record=${record} context=${context} actions=${actions} />`;
  } else {
    body = html`<${Rejected} entry=${entry} what=${what} taken=${taken} actions=${actions} />`;
  }
  return html`<section
    ref=${card}
    class="card result"
    id="result"
    role="status"
    aria-live="polite"
    data-state=${state}
    data-entry=${entry.id}
    data-kind=${entry.kind}
    data-code=${code}
    data-status=${state === "accepted" && record?.overridden ? record.status : (entry.status ?? "")}
  >
    ${body}
  </section>`;
}

function nextTryText(entry, online, now = Date.now()) {
  if (!online) return t("result.waitingConnection");
  const s = Math.max(0, Math.ceil((entry.next_at - now) / 1000));
  return s > 0 ? t("result.tryingIn", { count: s }) : t("result.tryingNow");
}

function Pending({ entry, sending, online, what, actions }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000); // the countdown to the next try
    return () => clearInterval(timer);
  }, []);
  const busy = entry.last_code === "unavailable";
  return html`<div class="result-icon pending-icon" aria-hidden="true">↻</div>
    <h1 id="result-title">${busy ? t("result.busyPending") : t("result.offlinePending")}</h1>
    <p id="result-detail">
      ${t("result.savedOnPhone", { what, time: fmtClock(new Date(entry.taken_at)) })}
    </p>
    <p class="muted small" id="next-try">${sending ? t("common.sending") : nextTryText(entry, online)}</p>
    <div class="actions">
      <button
        class="btn btn-primary"
        type="button"
        id="send-now"
        disabled=${sending}
        onClick=${() => actions.sendNow(entry)}
      >
        ${sending ? t("common.sending") : t("result.sendNow")}
      </button>
      <button class="btn" type="button" id="scan-again" onClick=${actions.back}>${t("common.back")}</button>
    </div>`;
}

function Accepted({ entry, record, context, actions }) {
  const label = sessionLabel(context);
  const where = label ?? t("result.thisSession");
  const overridden = record?.state === "recorded" && record.overridden;
  const status = overridden ? record.status : entry.status === "late" ? "late" : "present";
  const delayed = entry.resolved_at - entry.taken_at > 5000;
  const recorded = record?.state === "recorded";
  const line = overridden
    ? t("result.scanDidNotChange")
    : recorded
      ? t("result.recordedAt", { time: fmtTime(toDate(record.at)) })
      : record?.state === "unknown"
        ? t("result.accepted")
        : t("result.acceptedRecording");
  const title = overridden
    ? t("result.alreadyMarked", { status: statusWord(status) })
    : status === "late"
      ? t("result.checkedInLate")
      : t("result.checkedInPresent");
  const detail = overridden
    ? record.reason
      ? t("result.teacherMarkedReason", { status: statusWord(status), where, reason: record.reason })
      : t("result.teacherMarked", { status: statusWord(status), where })
    : t("result.youWereMarked", { status: statusWord(status), where });
  return html`<div class="result-icon" aria-hidden="true">${overridden ? "i" : status === "late" ? "◷" : "✓"}</div>
    <h1 id="result-title">${title}</h1>
    <p id="result-detail" data-context=${label ? "known" : "waiting"}>${detail}</p>
    ${
      delayed
        ? html`<p class="muted small" id="result-delay">
            ${t("result.takenDelivered", { taken: fmtClock(new Date(entry.taken_at)), delivered: fmtClock(new Date(entry.resolved_at)) })}
          </p>`
        : null
    }
    <p class="muted small" id="result-recorded" data-recorded=${String(recorded)}>${line}</p>
    <div class="actions">
      <button class="btn btn-primary" type="button" id="done" onClick=${actions.back}>${t("result.done")}</button>
      <button class="btn" type="button" id="open-inbox" onClick=${actions.openInbox}>${t("result.openInbox")}</button>
    </div>`;
}

function Rejected({ entry, what, taken, actions }) {
  const outcome = outcomeFor(entry.code, entry.kind);
  const late = entry.resolved_at - entry.taken_at > 20000;
  const again = entry.kind === "code" ? t("result.typeAgain") : t("result.scanAgain");
  return html`<div class="result-icon" aria-hidden="true">✕</div>
    <h1 id="result-title">${outcome.title}</h1>
    <p id="result-detail">${outcome.advice}</p>
    ${
      late
        ? html`<p class="muted small" id="result-delay">
            ${t("result.sentTooLate", { what, taken: fmtClock(taken), sent: fmtClock(new Date(entry.resolved_at)) })}
          </p>`
        : null
    }
    <p class="muted small">${t("result.notRecorded")}</p>
    <div class="actions">
      ${
        entry.code === "unauthenticated"
          ? html`<button class="btn btn-primary" type="button" onClick=${actions.signInAgain}>${t("result.signInAgain")}</button>`
          : html`<button class="btn btn-primary" type="button" id="scan-again" onClick=${actions.back}>
              ${outcome.retry ? again : t("common.back")}
            </button>`
      }
    </div>
    ${
      entry.code
        ? html`<details class="result-details" id="result-details">
            <summary>${t("common.details")}</summary>
            <p class="muted small">
              ${t("result.detailsLine", { code: entry.code, message: entry.message ? ` (${entry.message})` : "", time: fmtClock(new Date(entry.resolved_at ?? entry.taken_at)) })}
            </p>
          </details>`
        : null
    }`;
}

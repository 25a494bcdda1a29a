// The result card of one scan: sending, pending (kept on the phone, with the next try
// and "Send now"), accepted (naming the course and the session, then "Recorded at …"
// once the attendance record exists, or what the record says when the teacher had set
// the student's status before: the record wins) or rejected (the reason and what to do;
// the server's code and message under "Details").
import { fmtClock, fmtDay, fmtTime, toDate } from "../dom.js";
import { outcomeFor } from "../scan-api.js";
import { html, useEffect, useRef, useState } from "../ui.js";
import { entryState } from "./store.js";

/** "Distributed Systems, Mon 7 Dec, 09:00", as much of it as is known, or null. */
export function sessionLabel(context) {
  if (!context?.courseName) return null;
  const at = toDate(context.startsAt);
  return at ? `${context.courseName}, ${fmtDay(at)}, ${fmtTime(at)}` : context.courseName;
}

const STATUS_WORD = { present: "present", late: "late", excused: "excused", absent: "absent" };

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
  const what = entry.kind === "code" ? "typed code" : "scan";
  const taken = new Date(entry.taken_at);
  const code = entry.state ? (entry.code ?? "") : (entry.last_code ?? "");
  let body;
  if (state === "sending") {
    body = html`<div class="result-icon spinner" aria-hidden="true"></div>
      <h1>Checking in…</h1>
      <p class="muted">Sending your ${what}.</p>`;
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
  if (!online) return "Waiting for the connection to come back.";
  const s = Math.max(0, Math.ceil((entry.next_at - now) / 1000));
  return s > 0 ? `Trying again in ${s} s.` : "Trying again now…";
}

function Pending({ entry, sending, online, what, actions }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000); // the countdown to the next try
    return () => clearInterval(timer);
  }, []);
  const busy = entry.last_code === "unavailable";
  return html`<div class="result-icon pending-icon" aria-hidden="true">↻</div>
    <h1 id="result-title">${busy ? "Rollcall is busy: pending" : "No connection: pending"}</h1>
    <p id="result-detail">
      ${`Your ${what} from ${fmtClock(new Date(entry.taken_at))} is saved on this phone and will be sent automatically `}
      when the connection is back, also if you close this page and open it again. Rollcall checks it when it arrives.
    </p>
    <p class="muted small" id="next-try">${sending ? "Sending…" : nextTryText(entry, online)}</p>
    <div class="actions">
      <button
        class="btn btn-primary"
        type="button"
        id="send-now"
        disabled=${sending}
        onClick=${() => actions.sendNow(entry)}
      >
        ${sending ? "Sending…" : "Send now"}
      </button>
      <button class="btn" type="button" id="scan-again" onClick=${actions.back}>Back</button>
    </div>`;
}

function Accepted({ entry, record, context, actions }) {
  const label = sessionLabel(context);
  const where = label ?? "this session";
  const overridden = record?.state === "recorded" && record.overridden;
  const status = overridden ? record.status : entry.status === "late" ? "late" : "present";
  const delayed = entry.resolved_at - entry.taken_at > 5000;
  const recorded = record?.state === "recorded";
  const line = overridden
    ? "Your scan did not change it."
    : recorded
      ? `Recorded at ${fmtTime(toDate(record.at))}.`
      : record?.state === "unknown"
        ? "Accepted."
        : "Accepted. Recording…";
  const title = overridden
    ? `Already marked ${STATUS_WORD[status] ?? status} by your teacher`
    : status === "late"
      ? "Checked in — late"
      : "Checked in — present";
  const detail = overridden
    ? `Your teacher marked you ${STATUS_WORD[status] ?? status} for ${where}${record.reason ? `: ${record.reason}` : "."}`
    : `You were marked ${status} for ${where}.`;
  return html`<div class="result-icon" aria-hidden="true">${overridden ? "i" : status === "late" ? "◷" : "✓"}</div>
    <h1 id="result-title">${title}</h1>
    <p id="result-detail" data-context=${label ? "known" : "waiting"}>${detail}</p>
    ${
      delayed
        ? html`<p class="muted small" id="result-delay">
            ${`Taken at ${fmtClock(new Date(entry.taken_at))}, delivered at ${fmtClock(new Date(entry.resolved_at))}.`}
          </p>`
        : null
    }
    <p class="muted small" id="result-recorded" data-recorded=${String(recorded)}>${line}</p>
    <div class="actions">
      <button class="btn btn-primary" type="button" id="done" onClick=${actions.back}>Done</button>
      <button class="btn" type="button" id="open-inbox" onClick=${actions.openInbox}>Open my inbox</button>
    </div>`;
}

function Rejected({ entry, what, taken, actions }) {
  const outcome = outcomeFor(entry.code, entry.kind);
  const late = entry.resolved_at - entry.taken_at > 20000;
  const again = entry.kind === "code" ? "Type the code again" : "Scan again";
  return html`<div class="result-icon" aria-hidden="true">✕</div>
    <h1 id="result-title">${outcome.title}</h1>
    <p id="result-detail">${outcome.advice}</p>
    ${
      late
        ? html`<p class="muted small" id="result-delay">
            ${`This ${what} was taken at ${fmtClock(taken)} and could only be sent at ${fmtClock(new Date(entry.resolved_at))}; the code on the screen had changed by then.`}
          </p>`
        : null
    }
    <p class="muted small">Not recorded.</p>
    <div class="actions">
      ${
        entry.code === "unauthenticated"
          ? html`<button class="btn btn-primary" type="button" onClick=${actions.signInAgain}>Sign in again</button>`
          : html`<button class="btn btn-primary" type="button" id="scan-again" onClick=${actions.back}>
              ${outcome.retry ? again : "Back"}
            </button>`
      }
    </div>
    ${
      entry.code
        ? html`<details class="result-details" id="result-details">
            <summary>Details</summary>
            <p class="muted small">
              ${`Code: ${entry.code}${entry.message ? ` (${entry.message})` : ""}. Sent at ${fmtClock(new Date(entry.resolved_at ?? entry.taken_at))}.`}
            </p>
          </details>`
        : null
    }`;
}

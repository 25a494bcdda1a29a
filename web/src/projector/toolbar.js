// The projector view's toolbar: back to the courses, the course's attendance, the live
// dot, the close (two steps: no window.confirm), the session's CSV export and full
// screen; the close and the export only for those who may (`allowed`, roles.js).
import { notYet } from "../tally.js";
import { closeErrorText } from "../teacher-api.js";
import { html, useEffect, useRef } from "../ui.js";
import { ExportButton } from "../views/export-button.js";
import { closeLine } from "./model.js";

export function Toolbar({ store, context, closeSession, fullscreen, allowed = {} }) {
  const session = store.session.value;
  const live = store.live.value;
  return html`<nav class="toolbar" aria-label="Session">
    <a class="btn btn-quiet" href="#/">← My courses</a>
    <a
      class="btn btn-quiet"
      id="course-link"
      hidden=${!session}
      href=${session ? `#/course/${encodeURIComponent(session.course_id)}` : undefined}
      >Course attendance</a
    >
    <span class=${live.ok ? "live-dot is-live" : "live-dot"} id="live" title=${live.text}>${live.text}</span>
    <${CloseControl} store=${store} closeSession=${closeSession} canClose=${!!allowed.run_sessions} />
    ${
      allowed.export
        ? html`<${ExportButton}
            id="export-session"
            label="Export CSV"
            kind="sessions"
            targetId=${store.sessionId}
            context=${context}
          />`
        : null
    }
    <button class="btn" type="button" id="fullscreen" onClick=${fullscreen}>Full screen</button>
  </nav>`;
}

/**
 * Close: "Close session", then "Close now" / "Cancel"; while the close marks absences
 * through the pipeline, the line counts them in ("Closed. Marking N absences…").
 */
function CloseControl({ store, closeSession, canClose }) {
  const session = store.session.value;
  const close = store.close.value;
  const yes = useRef(null);
  useEffect(() => {
    if (close.confirming && !close.busy) yes.current?.focus();
  }, [close.confirming]);
  let content = null;
  if (session && (close.closedHere || session.status !== "open")) {
    const { text, state } = closeLine({
      session,
      closedHere: close.closedHere,
      closing: close.closing,
      tally: store.tally.value,
      enrolledCount: store.enrolled.value.size,
    });
    content = html`<span class="close-result" id="close-result" role="status" data-state=${state}>${text}</span>`;
  } else if (!canClose) {
    content = null;
  } else if (session && close.confirming) {
    content = html`<span class="confirm-text">
        Close the session? Scans will be refused and everyone without a status is marked absent.
      </span>
      <button
        ref=${yes}
        class="btn btn-danger"
        type="button"
        id="close-confirm"
        disabled=${close.busy}
        onClick=${closeSession}
      >
        ${close.busy ? "Closing…" : "Close now"}
      </button>
      <button
        class="btn btn-quiet"
        type="button"
        id="close-cancel"
        onClick=${() => {
          store.close.value = { ...store.close.value, confirming: false, error: null };
        }}
      >
        Cancel
      </button>
      <span class="form-error inline" id="close-error" role="alert" data-code=${close.error?.code}
        >${close.error?.text ?? ""}</span
      >`;
  } else if (session) {
    content = html`<button
      class="btn btn-danger-quiet"
      type="button"
      id="close-session"
      onClick=${() => {
        store.close.value = { ...store.close.value, confirming: true, error: null };
      }}
    >
      Close session
    </button>`;
  }
  return html`<div class="close-area" id="close-area">${content}</div>`;
}

/** The close, from "Close now": -> store.close moves through closing to closedHere (or an error). */
export async function runClose(store, send) {
  const enrolled = store.enrolled.value.size;
  // who has no status now: the absences the close will mark
  const expected = enrolled ? notYet(store.tally.value, enrolled) : 0;
  store.close.value = { ...store.close.value, busy: true, error: null, closing: { expected, absences: "marking" } };
  let result;
  try {
    result = await send();
  } catch (err) {
    result = { state: "failed", code: "unauthenticated", message: String(err.message ?? err) };
  }
  if (result.state === "closed") {
    store.close.value = {
      confirming: false,
      busy: false,
      error: null,
      closing: null,
      closedHere: { expected, absences: result.absences },
    };
  } else {
    store.close.value = {
      ...store.close.value,
      busy: false,
      closing: null,
      error: { text: closeErrorText(result), code: result.code },
    };
  }
}

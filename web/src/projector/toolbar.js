// The toolbars of a session's two screens and what they share:
// * the projector view's (outside what goes full screen): back to the courses, the live
//   dot, the teacher's panel (a window of its own, for the teacher's screen), full screen;
// * the teacher's panel's: back, the course's attendance, the live dot, the projector
//   view (a window of its own, for the projector), the close (two steps: no
//   window.confirm) and the session's CSV export, each only for those who may
//   (`allowed`, roles.js);
// * the clock notice: this computer's clock is off (by more than 2 s) from the server's.
import { t } from "../i18n/index.js";
import { skewWarning } from "../server-clock.js";
import { notYet } from "../tally.js";
import { closeErrorText } from "../teacher-api.js";
import { html, useEffect, useRef } from "../ui.js";
import { ExportButton } from "../views/export-button.js";
import { closeLine } from "./model.js";

/** The two screens of a session: the projector view and the teacher's panel. */
export const projectorHash = (sessionId) => `#/session/${encodeURIComponent(sessionId)}`;
export const panelHash = (sessionId) => `${projectorHash(sessionId)}/panel`;

/**
 * Open one of them in a window of its own (named per session, so a second click brings
 * the same window forward), or here when the browser blocks the window.
 */
export function openScreen(hash, name) {
  const url = `${location.origin}${location.pathname}${location.search}${hash}`;
  const opened = window.open(url, name, "popup,width=1200,height=860");
  if (opened) opened.focus();
  else location.hash = hash;
}

function LiveDot({ store }) {
  const live = store.live.value;
  const text = t(live.key, live.params);
  return html`<span class=${live.ok ? "live-dot is-live" : "live-dot"} id="live" title=${text}>${text}</span>`;
}

export function RoomToolbar({ store, fullscreen }) {
  const id = store.sessionId;
  return html`<nav class="toolbar" aria-label=${t("projector.toolbar")}>
    <a class="btn btn-quiet" href="#/">${t("projector.myCourses")}</a>
    <${LiveDot} store=${store} />
    <span class="toolbar-gap"></span>
    <a
      class="btn"
      id="open-panel"
      href=${panelHash(id)}
      onClick=${(ev) => {
        ev.preventDefault();
        openScreen(panelHash(id), `rollcall-panel-${id}`);
      }}
      >${t("projector.openPanel")}</a
    >
    <button class="btn btn-primary" type="button" id="fullscreen" onClick=${fullscreen}>${t("projector.fullscreen")}</button>
  </nav>
  <${ClockNotice} store=${store} />`;
}

export function PanelToolbar({ store, context, closeSession, allowed = {} }) {
  const session = store.session.value;
  const id = store.sessionId;
  return html`<nav class="toolbar" aria-label=${t("projector.toolbar")}>
    <a class="btn btn-quiet" href="#/">${t("projector.myCourses")}</a>
    <a
      class="btn btn-quiet"
      id="course-link"
      hidden=${!session}
      href=${session ? `#/course/${encodeURIComponent(session.course_id)}` : undefined}
      >${t("panel.courseLink")}</a
    >
    <${LiveDot} store=${store} />
    <${CloseControl} store=${store} closeSession=${closeSession} canClose=${!!allowed.run_sessions} />
    ${
      allowed.export
        ? html`<${ExportButton} id="export-session" label=${t("panel.exportCsv")} kind="sessions" targetId=${id} context=${context} />`
        : null
    }
    <a
      class="btn"
      id="open-projector"
      href=${projectorHash(id)}
      onClick=${(ev) => {
        ev.preventDefault();
        openScreen(projectorHash(id), `rollcall-projector-${id}`);
      }}
      >${t("panel.openProjector")}</a
    >
  </nav>
  <${ClockNotice} store=${store} />`;
}

/** This computer's clock against the server's: said when it is off by more than 2 s. */
export function ClockNotice({ store }) {
  const clock = store.clock.value;
  if (clock.failed && !clock.known) {
    return html`<p class="notice clock-notice" id="clock-warning" role="status" data-state="unknown">
      ${t("projector.clockUnknown")}
    </p>`;
  }
  const warning = clock.known ? skewWarning(clock.offset) : null;
  if (!warning) return null;
  return html`<p
    class="notice clock-notice"
    id="clock-warning"
    role="status"
    data-state=${warning.how}
    data-offset-ms=${String(clock.offset)}
  >
    ${warning.text}
  </p>`;
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
        ${t("panel.closeConfirm")}
      </span>
      <button
        ref=${yes}
        class="btn btn-danger"
        type="button"
        id="close-confirm"
        disabled=${close.busy}
        onClick=${closeSession}
      >
        ${close.busy ? t("panel.closing") : t("panel.closeNow")}
      </button>
      <button
        class="btn btn-quiet"
        type="button"
        id="close-cancel"
        onClick=${() => {
          store.close.value = { ...store.close.value, confirming: false, error: null };
        }}
      >
        ${t("panel.cancel")}
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
      ${t("panel.closeSession")}
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

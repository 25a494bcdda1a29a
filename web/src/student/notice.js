// The institution's notice (decision 0031): what Rollcall keeps about the student and
// why, in their language, shown after the first sign-in and again whenever the
// notice's version (contracts.json languages.notice_version) is newer than the one the
// student acknowledged (users/{uid}.notice.version). "I have read this" records the
// version with the server's time on the student's own document. A modal dialog over
// the page: the page below is inert until the student has read it (the check-in the
// student came for, from a scanned link, goes on meanwhile and is there after).
import { t } from "../i18n/index.js";
import { acknowledgeNotice, LanguagePicker, NOTICE_VERSION } from "../profile.js";
import { html, useEffect, useRef, useState } from "../ui.js";

/** The kinds of data kept, each a catalog entry notice.items.<key>: a heading and why. */
export const NOTICE_ITEMS = Object.freeze([
  "identity",
  "checkins",
  "refused",
  "figures",
  "requests",
  "messages",
  "guardian",
]);

export function NoticeCard({ again = false }) {
  const [state, setState] = useState({ busy: false, error: null });
  const dialog = useRef(null);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal?.();
    return () => el?.open && el.close();
  }, []);
  async function accept() {
    setState({ busy: true, error: null });
    try {
      await acknowledgeNotice();
      // the dialog goes: the keyboard starts at the view's heading, as after a sign-in
      document.querySelector("#view h1[tabindex='-1']")?.focus({ preventScroll: true });
    } catch (err) {
      setState({ busy: false, error: String(err.code ?? err.message ?? err) });
    }
  }
  // Escape does not close it: the notice is read once, and acknowledged
  return html`<dialog
    ref=${dialog}
    class="card notice-card"
    id="privacy-notice"
    aria-labelledby="notice-title"
    data-version=${NOTICE_VERSION}
    onCancel=${(ev) => ev.preventDefault()}
  >
    <div class="notice-top">
      <h1 id="notice-title">${t("notice.title")}</h1>
      <${LanguagePicker} id="notice-language" />
    </div>
    ${again ? html`<p class="notice" id="notice-changed">${t("notice.changed")}</p>` : null}
    <p>${t("notice.intro")}</p>
    <dl class="notice-items">
      ${NOTICE_ITEMS.map(
        (key) => html`<div key=${key} class="notice-item">
          <dt>${t(`notice.items.${key}.what`)}</dt>
          <dd>${t(`notice.items.${key}.why`)}</dd>
        </div>`,
      )}
    </dl>
    <p>${t("notice.who")}</p>
    <p>${t("notice.not")}</p>
    <p class="muted small">${t("notice.rights")}</p>
    <p class="form-error" role="alert">${state.error ? t("notice.failed", { error: state.error }) : ""}</p>
    <div class="actions">
      <button class="btn btn-primary" type="button" id="notice-accept" disabled=${state.busy} onClick=${accept}>
        ${state.busy ? t("common.sending") : t("notice.accept")}
      </button>
    </div>
    <p class="muted small" id="notice-version">${t("notice.version", { version: NOTICE_VERSION })}</p>
  </dialog>`;
}

// The teacher's override of one student's status: a modal <dialog> (outside the class
// list, so its live updates never touch it) with the four statuses and a required
// reason, which the student sees. Sent through teacher-api.js; the row says "Saving…"
// until the record carries the override's id.
import { t } from "../i18n/index.js";
import { overrideErrorText } from "../teacher-api.js";
import { html, keepFocusIn, useModal, useRef, useState } from "../ui.js";
import { OVERRIDE_STATUSES, STATUS_LABEL } from "./model.js";

/**
 * `target`: {uid, name, record} of the student being changed, or null (closed).
 * send({uid, status, reason}) -> a teacher-api result; onClose().
 */
export function OverrideDialog({ target, send, onClose }) {
  const dialog = useRef(null);
  const form = useRef(null);
  const reason = useRef(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const dismissed = useModal(
    dialog,
    target,
    () => {
      form.current.reset();
      setError("");
      const first = [...form.current.querySelectorAll("label.choice")].find(
        (label) => label.dataset.status !== target.record?.status,
      );
      first?.querySelector("input")?.focus();
    },
    onClose,
  );

  async function submit(ev) {
    ev.preventDefault();
    const status = form.current.elements.status.value;
    const text = reason.current.value.trim();
    setError("");
    if (!status) {
      setError(t("panel.chooseStatus"));
      return;
    }
    if (!text) {
      setError(t("panel.giveReason"));
      reason.current.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await send({ uid: target.uid, status, reason: text });
      if (result.state === "accepted") onClose();
      else setError(overrideErrorText(result));
    } catch (err) {
      setError(t("panel.couldNotSend", { error: err.message ?? err }));
    } finally {
      setBusy(false);
    }
  }

  const rec = target?.record;
  const current = rec ? (STATUS_LABEL[rec.status] ?? rec.status) : STATUS_LABEL.missing;
  return html`<dialog
    ref=${dialog}
    class="override-dialog"
    id="override-dialog"
    aria-labelledby="override-title"
    aria-modal="true"
    onKeyDown=${keepFocusIn}
    onClose=${dismissed}
  >
    <form ref=${form} class="override-form" novalidate onSubmit=${submit}>
      <h2 id="override-title">
        ${
          target
            ? html`${t("panel.overrideTitle")}<span translate=${false}>${target.name}</span>`
            : t("panel.overrideTitlePlain")
        }
      </h2>
      <p class="muted" id="override-student">
        ${
          !target
            ? ""
            : rec?.source === "override"
              ? html`${t("panel.nowChanged", { status: current })}<span translate=${false}>${rec.reason}</span>${t(
                  "panel.nowChangedAfter",
                )}`
              : t("panel.now", { status: current })
        }
      </p>
      <fieldset class="choices">
        <legend>${t("panel.newStatus")}</legend>
        ${OVERRIDE_STATUSES.map(
          (status) => html`<label class="choice" key=${status} data-status=${status}>
            <input type="radio" name="status" value=${status} required />
            <span class=${`status status-${status}`}>${STATUS_LABEL[status]}</span>
          </label>`,
        )}
      </fieldset>
      <label for="override-reason">${t("panel.reason")} <span class="muted small">${t("panel.reasonHint")}</span></label>
      <textarea
        ref=${reason}
        id="override-reason"
        name="reason"
        rows="3"
        maxlength="500"
        required
        placeholder=${t("panel.reasonPlaceholder")}
        onInput=${() => setError("")}
      ></textarea>
      <p class="form-error" id="override-error" role="alert">${error}</p>
      <div class="dialog-actions">
        <button class="btn" type="button" id="override-cancel" onClick=${onClose}>${t("panel.cancel")}</button>
        <button class="btn btn-primary" type="submit" id="override-submit" disabled=${busy}>
          ${busy ? t("panel.saving") : t("panel.save")}
        </button>
      </div>
    </form>
  </dialog>`;
}

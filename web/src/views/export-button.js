// "Export CSV": fetches a session's or a course's export with the teacher's ID token
// (teacher-api.js) and hands it to the browser as a download; a failure is shown next
// to the button with its stable code.
import { t } from "../i18n/index.js";
import { exportErrorText, fetchExport } from "../teacher-api.js";
import { html, mountInto, useState } from "../ui.js";

/** Hand a blob to the browser as a download (an object URL on a temporary link). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/**
 * The button and its error line. `context()` resolves to {scanUrl, idToken};
 * `targetId` is the session or course id.
 */
export function ExportButton({ id, label, kind, targetId, context, small = false }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null); // {text, code}
  async function run() {
    setBusy(true);
    setError(null);
    try {
      const { scanUrl, idToken } = await context();
      const result = await fetchExport({ scanUrl, idToken, kind, id: targetId });
      if (result.state === "ok") saveBlob(result.blob, result.filename);
      else setError({ text: exportErrorText(result), code: result.code });
    } catch (err) {
      setError({ text: t("panel.exportFailed", { error: err.message ?? err }), code: null });
    } finally {
      setBusy(false);
    }
  }
  return html`<span class="export-area">
    <button type="button" class=${small ? "btn btn-small" : "btn"} id=${id} disabled=${busy} onClick=${run}>
      ${busy ? t("panel.preparing") : label}
    </button>
    <span class="form-error inline export-error" id=${`${id}-error`} role="alert" data-code=${error?.code ?? undefined}
      >${error?.text ?? ""}</span
    >
  </span>`;
}

/** The same as an element, for the views that build their DOM by hand (course-view.js). */
export function exportButton(props) {
  const holder = document.createElement("span");
  holder.style.display = "contents"; // the button lays out as if it were there itself
  return mountInto(holder, html`<${ExportButton} ...${props} />`);
}

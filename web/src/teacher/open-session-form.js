// "Open a session…" on a course card: its kind (theory, practical, tutorial: the figures
// count it as that kind; the server's default kind unless the teacher picks another),
// rotation, late threshold and duration, checked
// against the contracts' limits (sessions.js), then opened by POST /sessions, which
// starts it on the server's clock (teacher-api.js; no client writes a session), and its
// projector view opens.
import { firebase } from "../config.js";
import { t } from "../i18n/index.js";
import { DEFAULTS, LIMITS, validateSessionForm } from "../sessions.js";
import { openErrorText, openSession } from "../teacher-api.js";
import { DEFAULT_KIND, KINDS, kindLabel } from "../timetable.js";
import { html, useRef, useState } from "../ui.js";

const FIELDS = [
  ["rotation", "rotation", "openSession.rotation", "openSession.seconds"],
  ["lateAfter", "late", "openSession.lateAfter", "openSession.minutes"],
  ["duration", "duration", "openSession.duration", "openSession.minutes"],
];

export function OpenSessionForm({ course, user, hidden, formRef }) {
  const inputs = { kind: useRef(null), rotation: useRef(null), lateAfter: useRef(null), duration: useRef(null) };
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(ev) {
    ev.preventDefault();
    const { values, errors } = validateSessionForm(
      Object.fromEntries(Object.entries(inputs).map(([field, ref]) => [field, ref.current.value])),
    );
    const messages = Object.values(errors);
    if (messages.length) {
      setError(messages.join(" "));
      return;
    }
    setError("");
    setBusy(true);
    try {
      const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
      const result = await openSession({ scanUrl: config.scanUrl, idToken, courseId: course.id, ...values });
      if (result.state === "opened") location.hash = `#/session/${encodeURIComponent(result.sessionId)}`;
      else setError(openErrorText(result));
    } catch (err) {
      setError(t("openSession.failed", { error: err.message ?? err }));
    } finally {
      setBusy(false);
    }
  }

  return html`<form
    ref=${formRef}
    class="open-session"
    hidden=${hidden}
    data-course=${course.id}
    novalidate
    onSubmit=${submit}
  >
    <div class="fields">
      <div class="field">
        <label for=${`kind-${course.id}`}>${t("openSession.kind")}</label>
        <select ref=${inputs.kind} id=${`kind-${course.id}`} name="kind" defaultValue=${DEFAULT_KIND}>
          ${KINDS.map((k) => html`<option key=${k} value=${k}>${kindLabel(k)}</option>`)}
        </select>
      </div>
      ${FIELDS.map(([field, name, label, unit]) => {
        const id = `${name}-${course.id}`;
        return html`<div class="field" key=${field}>
          <label for=${id}>${t(label)}</label>
          <div class="with-unit">
            <input
              ref=${inputs[field]}
              id=${id}
              name=${name}
              type="number"
              inputmode="numeric"
              min=${LIMITS[field].min}
              max=${LIMITS[field].max}
              step="1"
              required
              defaultValue=${DEFAULTS[field]}
            />
            <span class="unit">${t(unit)}</span>
          </div>
        </div>`;
      })}
    </div>
    <p class="muted small">
      ${t("openSession.help", { hours: Math.round(LIMITS.duration.max / 60) })}
    </p>
    <p class="form-error" role="alert">${error}</p>
    <button class="btn btn-primary" type="submit" data-open=${course.id} disabled=${busy}>
      ${busy ? t("openSession.opening") : t("openSession.submit")}
    </button>
  </form>`;
}

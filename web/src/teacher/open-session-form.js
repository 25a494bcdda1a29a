// "Open a session…" on a course card: rotation, late threshold and duration, checked
// against the contracts' limits (sessions.js), then sessions/{id} is created with
// exactly the fields the rules' validNewSession allows and its projector view opens.
import { DEFAULTS, LIMITS, newSessionId, sessionFields, validateSessionForm } from "../sessions.js";
import { html, useRef, useState } from "../ui.js";

const FIELDS = [
  ["rotation", "rotation", "New code every", "s"],
  ["lateAfter", "late", "Late after", "min"],
  ["duration", "duration", "Duration", "min"],
];

export function OpenSessionForm({ course, user, fsx, hidden, formRef }) {
  const inputs = { rotation: useRef(null), lateAfter: useRef(null), duration: useRef(null) };
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
    const id = newSessionId();
    try {
      const { db, fs } = fsx;
      await fs.setDoc(fs.doc(db, "sessions", id), {
        ...sessionFields({ courseId: course.id, teacherUid: user.uid, ...values }),
        opened_at: fs.serverTimestamp(),
      });
      location.hash = `#/session/${encodeURIComponent(id)}`;
    } catch (err) {
      setError(
        err.code === "permission-denied"
          ? "Not allowed: only the course's teacher can open a session (check the values)."
          : `Could not open the session: ${err.code ?? err.message}`,
      );
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
      ${FIELDS.map(([field, name, label, unit]) => {
        const id = `${name}-${course.id}`;
        return html`<div class="field" key=${field}>
          <label for=${id}>${label}</label>
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
            <span class="unit">${unit}</span>
          </div>
        </div>`;
      })}
    </div>
    <p class="muted small">
      Starts now. Students scanning after the late threshold are marked late; the session closes at the end of its
      duration (at most ${Math.round(LIMITS.duration.max / 60)} h) or when you close it.
    </p>
    <p class="form-error" role="alert">${error}</p>
    <button class="btn btn-primary" type="submit" data-open=${course.id} disabled=${busy}>
      ${busy ? "Opening…" : "Open session and show the code"}
    </button>
  </form>`;
}

// The Today page's changes to the timetable, each in a modal <dialog> (outside the
// list, so its refreshes never touch it): cancel a planned session (a reason is
// required), move it (day, times, room), or add an extra one (course, kind, whole
// course / division / batch, day, times, room). Checked first by timetable.js, sent by
// planned-api.js; the server's refusal is shown in the dialog as it comes.

import { keysOf, t, words } from "../i18n/index.js";
import { addBody, audienceLabel, KINDS, kindLabel, timeRange, validateReason, validateWhen } from "../timetable.js";
import { html, keepFocusIn, useEffect, useModal, useRef, useState } from "../ui.js";

const TITLES = words(keysOf("plan.title", ["cancel", "move", "add"]));
const SUBMITS = words(keysOf("plan.submit", ["cancel", "move", "add"]));

/**
 * `target`: {mode: "cancel"|"move"|"add", plan?, day} or null (closed). `courses`:
 * the courses one may add to ([{id, code, name, divisions}]), `batchesOf(courseId)`
 * resolves to the batches of its roster. send(mode, values) -> a planned-api result.
 */
export function PlanDialog({ target, courses = [], batchesOf, send, onClose }) {
  const dialog = useRef(null);
  const form = useRef(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [courseId, setCourseId] = useState("");
  const [batches, setBatches] = useState([]);

  const dismissed = useModal(
    dialog,
    target,
    () => {
      form.current.reset();
      setError("");
      setCourseId(target.mode === "add" ? (courses.length === 1 ? courses[0].id : "") : "");
      form.current.querySelector("input:not([type=hidden]), select, textarea")?.focus();
    },
    () => onClose(null),
  );

  useEffect(() => {
    setBatches([]);
    if (!courseId || !batchesOf) return undefined;
    let live = true;
    batchesOf(courseId).then(
      (found) => live && setBatches(found),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [courseId]);

  async function submit(ev) {
    ev.preventDefault();
    const f = form.current.elements;
    let values;
    if (target.mode === "cancel") {
      const { reason, error: problem } = validateReason(f.reason.value);
      if (problem) {
        setError(problem);
        f.reason.focus();
        return;
      }
      values = { reason };
    } else {
      const raw = { date: f.date.value, start: f.start.value, end: f.end.value, room: f.room.value };
      if (target.mode === "move") {
        const checked = validateWhen(raw);
        const problems = Object.values(checked.errors);
        if (problems.length) {
          setError(problems.join(" "));
          return;
        }
        values = checked.values;
      } else {
        const { body, errors } = addBody({
          ...raw,
          courseId: f.course.value,
          kind: f.kind.value,
          audience: f.audience.value,
        });
        if (!body) {
          setError(Object.values(errors).join(" "));
          return;
        }
        values = body;
      }
    }
    setError("");
    setBusy(true);
    try {
      const result = await send(target.mode, values);
      if (result.state === "saved") onClose(result);
      else setError(result.text);
    } catch (err) {
      setError(t("plan.couldNotSend", { error: err.message ?? err }));
    } finally {
      setBusy(false);
    }
  }

  const plan = target?.plan ?? null;
  const mode = target?.mode ?? "cancel";
  const course = courses.find((c) => c.id === courseId) ?? null;
  return html`<dialog
    ref=${dialog}
    class="plan-dialog"
    id="plan-dialog"
    data-mode=${mode}
    aria-labelledby="plan-title"
    aria-modal="true"
    onKeyDown=${keepFocusIn}
    onClose=${dismissed}
  >
    <form ref=${form} class="plan-form" novalidate onSubmit=${submit} onInput=${() => error && setError("")}>
      <h2 id="plan-title">${TITLES[mode]}</h2>
      ${
        plan
          ? html`<p class="muted" id="plan-which">
              <span translate=${false}>${plan.course_code ?? plan.course_id}</span>${" · "}${describe(plan, { code: false })}
            </p>`
          : null
      }
      ${mode === "cancel" ? html`<${CancelFields} />` : null}
      ${
        mode === "add"
          ? html`<${AddFields} courses=${courses} course=${course} batches=${batches} choose=${setCourseId} />`
          : null
      }
      ${mode !== "cancel" && target ? html`<${WhenFields} key=${`${mode}-${plan?.planned_id ?? target.day}`} plan=${plan} day=${target.day} />` : null}
      <p class="form-error" id="plan-error" role="alert">${error}</p>
      <div class="dialog-actions">
        <button class="btn" type="button" id="plan-close" onClick=${() => onClose(null)}>
          ${mode === "cancel" ? t("plan.keep") : t("plan.close")}
        </button>
        <button class=${mode === "cancel" ? "btn btn-danger" : "btn btn-primary"} type="submit" id="plan-submit" disabled=${busy}>
          ${busy ? t("plan.saving") : SUBMITS[mode]}
        </button>
      </div>
    </form>
  </dialog>`;
}

/** "CS301 · Practical · Batch B2 · 14:00–16:00 · Room Lab 2" (`code` false: without the course's code). */
export function describe(plan, { code = true } = {}) {
  return [
    code && (plan.course_code ?? plan.course_id),
    kindLabel(plan.kind),
    audienceLabel(plan.audience),
    timeRange(plan),
    plan.room && t("today.room", { room: plan.room }),
  ]
    .filter(Boolean)
    .join(" · ");
}

function CancelFields() {
  return html`<label for="plan-reason">${t("plan.reason")} <span class="muted small">${t("plan.reasonHint")}</span></label>
    <textarea
      id="plan-reason"
      name="reason"
      rows="2"
      maxlength="200"
      required
      placeholder=${t("plan.reasonPlaceholder")}
    ></textarea>`;
}

function WhenFields({ plan, day }) {
  return html`<div class="plan-when">
    <div class="field">
      <label for="plan-date">${t("plan.day")}</label>
      <input id="plan-date" name="date" type="date" required defaultValue=${plan?.date ?? day ?? ""} />
    </div>
    <div class="field">
      <label for="plan-start">${t("plan.start")}</label>
      <input id="plan-start" name="start" type="time" required defaultValue=${plan?.start ?? ""} />
    </div>
    <div class="field">
      <label for="plan-end">${t("plan.end")}</label>
      <input id="plan-end" name="end" type="time" required defaultValue=${plan?.end ?? ""} />
    </div>
    <div class="field">
      <label for="plan-room">${t("plan.room")} <span class="muted small">${t("plan.optional")}</span></label>
      <input id="plan-room" name="room" maxlength="200" autocomplete="off" defaultValue=${plan?.room ?? ""} />
    </div>
  </div>`;
}

function AddFields({ courses, course, batches, choose }) {
  const divisions = course?.divisions ?? [];
  return html`<div class="plan-what">
    <div class="field">
      <label for="plan-course">${t("plan.course")}</label>
      <select id="plan-course" name="course" required onChange=${(ev) => choose(ev.currentTarget.value)}>
        ${courses.length === 1 ? null : html`<option value="">${t("plan.chooseCourse")}</option>`}
        ${courses.map((c) => html`<option key=${c.id} value=${c.id} translate=${false}>${c.code ?? c.id} · ${c.name ?? ""}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="plan-kind">${t("plan.kind")}</label>
      <select id="plan-kind" name="kind" required>
        ${KINDS.map((k) => html`<option key=${k} value=${k}>${kindLabel(k)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="plan-audience">${t("plan.for")}</label>
      <select id="plan-audience" name="audience" required>
        <option value="course">${t("plan.wholeCourse")}</option>
        ${
          divisions.length
            ? html`<optgroup label=${t("plan.divisions")}>
                ${divisions.map((d) => html`<option key=${d} value=${`division:${d}`}>${t("audience.division", { value: d })}</option>`)}
              </optgroup>`
            : null
        }
        ${
          batches.length
            ? html`<optgroup label=${t("plan.batches")}>
                ${batches.map((b) => html`<option key=${b} value=${`batch:${b}`}>${t("audience.batch", { value: b })}</option>`)}
              </optgroup>`
            : null
        }
      </select>
    </div>
  </div>`;
}

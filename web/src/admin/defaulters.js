// The defaulter list (heads of department and institution admins): pick the department,
// a division or all, and the cut-off date; download the list as CSV or PDF
// (GET /reports/defaulters.(csv|pdf), admin-api.js). The server decides who may, and
// refuses a date outside the term; its message is shown as it comes.
import { defaultersErrorText, fetchDefaulters } from "../admin-api.js";
import { html, useState } from "../ui.js";
import { saveBlob } from "../views/export-button.js";

/** Today in the browser's calendar, YYYY-MM-DD. */
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The divisions the department's courses list, as people sort them. */
export function divisionsOf(courses, department) {
  const found = new Set();
  for (const course of courses ?? []) {
    if (course.department_id !== department) continue;
    for (const division of course.divisions ?? []) found.add(String(division));
  }
  return [...found].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** The department and division choices of a department report (`ids`: the two selects' ids). */
export function DepartmentFields({ ids, departments, chosen, divisions, division, onDepartment, onDivision }) {
  return html`<div class="admin-field">
      <label for=${ids[0]}>Department</label>
      <select id=${ids[0]} value=${chosen} onChange=${(ev) => onDepartment(ev.currentTarget.value)}>
        ${departments.map((d) => html`<option key=${d} value=${d}>${d}</option>`)}
      </select>
    </div>
    <div class="admin-field">
      <label for=${ids[1]}>Division</label>
      <select id=${ids[1]} value=${division} onChange=${(ev) => onDivision(ev.currentTarget.value)}>
        <option value="">All divisions</option>
        ${divisions.map((d) => html`<option key=${d} value=${d}>${d}</option>`)}
      </select>
    </div>`;
}

export function DefaultersPanel({ store, me, context }) {
  const departments = me.admin ? (store.departments.value ?? []).map((d) => d.id) : me.departments;
  const [department, setDepartment] = useState(departments[0] ?? "");
  const [division, setDivision] = useState("");
  const [asOf, setAsOf] = useState(today());
  const [busy, setBusy] = useState(null); // "csv" | "pdf" while fetching
  const [message, setMessage] = useState(null);
  const chosen = department || departments[0] || "";
  const divisions = divisionsOf(store.courses.value, chosen);

  async function download(format) {
    setBusy(format);
    setMessage({ text: "Preparing the list…" });
    try {
      const result = await fetchDefaulters({ ...(await context()), format, department: chosen, division, asOf });
      if (result.state === "ok") {
        saveBlob(result.blob, result.filename);
        setMessage({ text: `Downloaded ${result.filename}.` });
      } else {
        setMessage({ text: defaultersErrorText(result), error: true, code: result.code });
      }
    } catch (err) {
      setMessage({ text: `The list could not be made: ${err.message ?? err}`, error: true });
    } finally {
      setBusy(null);
    }
  }

  return html`<section class="card admin-form" id="defaulters" aria-labelledby="defaulters-title">
    <h2 id="defaulters-title">Defaulter list</h2>
    <p>
      Every student of the department (or one division) by roll number, with their attendance in each course up to
      the end of the chosen day, and the courses in which they are below the required percentage. The figures are
      those of each course's export for the same day.
    </p>
    ${
      !departments.length
        ? html`<p class="muted" id="defaulters-empty">No departments yet.</p>`
        : html`<${DepartmentFields}
              ids=${["defaulters-department", "defaulters-division"]}
              departments=${departments}
              chosen=${chosen}
              divisions=${divisions}
              division=${division}
              onDepartment=${(d) => {
                setDepartment(d);
                setDivision("");
              }}
              onDivision=${setDivision}
            />
            <div class="admin-field">
              <label for="defaulters-as-of">Attendance up to</label>
              <input
                id="defaulters-as-of"
                type="date"
                required
                value=${asOf}
                onInput=${(ev) => setAsOf(ev.currentTarget.value)}
                aria-describedby="defaulters-as-of-hint"
              />
              <span class="muted small" id="defaulters-as-of-hint"
                >Sessions held by the end of this day count, as they stood then: a later correction does not.</span
              >
            </div>
            <p
              class=${message?.error ? "form-error" : "small"}
              role=${message?.error ? "alert" : "status"}
              id="defaulters-message"
              data-code=${message?.code ?? undefined}
            >
              ${message?.text ?? ""}
            </p>
            <div class="actions">
              <button class="btn btn-primary" type="button" id="defaulters-csv" disabled=${!!busy || !asOf} onClick=${() => download("csv")}>
                ${busy === "csv" ? "Preparing…" : "Download CSV"}
              </button>
              <button class="btn" type="button" id="defaulters-pdf" disabled=${!!busy || !asOf} onClick=${() => download("pdf")}>
                ${busy === "pdf" ? "Preparing…" : "Download PDF"}
              </button>
            </div>`
    }
  </section>`;
}

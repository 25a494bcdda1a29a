// The defaulter list (heads of department and institution admins): pick the department,
// a division or all, and the cut-off date; download the list as CSV or PDF
// (GET /reports/defaulters.(csv|pdf), admin-api.js). The server decides who may, and
// refuses a date outside the term; its message is shown as it comes.
import { defaultersErrorText, fetchDefaulters } from "../admin-api.js";
import { t } from "../i18n/index.js";
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
      <label for=${ids[0]}>${t("defaulters.department")}</label>
      <select id=${ids[0]} value=${chosen} onChange=${(ev) => onDepartment(ev.currentTarget.value)}>
        ${departments.map((d) => html`<option key=${d} value=${d} translate=${false}>${d}</option>`)}
      </select>
    </div>
    <div class="admin-field">
      <label for=${ids[1]}>${t("defaulters.division")}</label>
      <select id=${ids[1]} value=${division} onChange=${(ev) => onDivision(ev.currentTarget.value)}>
        <option value="">${t("defaulters.allDivisions")}</option>
        ${divisions.map((d) => html`<option key=${d} value=${d} translate=${false}>${d}</option>`)}
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
    setMessage({ text: t("defaulters.preparingList") });
    try {
      const result = await fetchDefaulters({ ...(await context()), format, department: chosen, division, asOf });
      if (result.state === "ok") {
        saveBlob(result.blob, result.filename);
        setMessage({ text: t("defaulters.downloaded", { file: result.filename }) });
      } else {
        setMessage({ text: defaultersErrorText(result), error: true, code: result.code });
      }
    } catch (err) {
      setMessage({ text: t("defaulters.failed", { message: err.message ?? err }), error: true });
    } finally {
      setBusy(null);
    }
  }

  return html`<section class="card admin-form" id="defaulters" aria-labelledby="defaulters-title">
    <h2 id="defaulters-title">${t("defaulters.title")}</h2>
    <p>${t("defaulters.intro")}</p>
    ${
      !departments.length
        ? html`<p class="muted" id="defaulters-empty">${t("defaulters.none")}</p>`
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
              <label for="defaulters-as-of">${t("defaulters.upTo")}</label>
              <input
                id="defaulters-as-of"
                type="date"
                required
                value=${asOf}
                onInput=${(ev) => setAsOf(ev.currentTarget.value)}
                aria-describedby="defaulters-as-of-hint"
              />
              <span class="muted small" id="defaulters-as-of-hint"
                >${t("defaulters.upToHint")}</span
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
                ${t(busy === "csv" ? "defaulters.preparing" : "defaulters.csv")}
              </button>
              <button class="btn" type="button" id="defaulters-pdf" disabled=${!!busy || !asOf} onClick=${() => download("pdf")}>
                ${t(busy === "pdf" ? "defaulters.preparing" : "defaulters.pdf")}
              </button>
            </div>`
    }
  </section>`;
}

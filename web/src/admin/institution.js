// Departments and terms (institution admins): each a list and a form. Saving one again
// replaces it (POST /admin/departments, /admin/terms, which validate: their message is
// shown as it comes); "Edit" fills the form with a stored one.
import {
  adminErrorText,
  holidaysText,
  parseHolidays,
  saveDepartment,
  saveInstitutionSettings,
  saveTerm,
} from "../admin-api.js";
import { html, useEffect, useRef, useState } from "../ui.js";

function Message({ id, message }) {
  return html`<p class=${message?.error ? "form-error" : "small"} role=${message?.error ? "alert" : "status"} id=${id}>
    ${message?.text ?? ""}
  </p>`;
}

function Field({ id, label, hint, children }) {
  return html`<div class="admin-field">
    <label for=${id}>${label}</label>
    ${children}
    ${hint ? html`<span class="muted small" id=${`${id}-hint`}>${hint}</span>` : null}
  </div>`;
}

// ---- departments -------------------------------------------------------------------------

const NO_DEPARTMENT = { code: "", name: "", heads: "" };

export function DepartmentsPanel({ store, context }) {
  const departments = store.departments.value;
  const error = store.errors.value.departments;
  const [form, setForm] = useState(NO_DEPARTMENT);
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  const set = (field) => (ev) => setForm({ ...form, [field]: ev.currentTarget.value });

  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setMessage({ text: "Saving…" });
    try {
      const result = await saveDepartment({ ...(await context()), ...form });
      if (result.state === "saved") {
        setMessage({ text: `Saved department ${result.stored?.code ?? form.code}.` });
        setForm(NO_DEPARTMENT);
      } else {
        setMessage({ text: adminErrorText(result), error: true });
      }
    } catch (err) {
      setMessage({ text: `Not saved: ${err.message ?? err}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="admin-grid">
    <section class="card" aria-labelledby="departments-title">
      <h2 id="departments-title">Departments</h2>
      ${
        error
          ? html`<p class="form-error" role="alert">Cannot read the departments (${error}).</p>`
          : departments === null
            ? html`<p class="muted">Loading…</p>`
            : !departments.length
              ? html`<p class="muted" id="departments-empty">No departments yet: add the first one with the form.</p>`
              : html`<div class="table-scroll" tabindex="0">
                  <table class="data-table" id="departments">
                    <thead>
                      <tr>
                        <th scope="col">Code</th>
                        <th scope="col">Name and heads</th>
                        <th scope="col"><span class="visually-hidden">Edit</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${departments.map(
                        (d) => html`<tr key=${d.id} data-department=${d.id}>
                          <th scope="row">${d.code ?? d.id}</th>
                          <td>
                            <span class="student-name">${d.name}</span>
                            <span class="student-email emails">
                              ${d.head_emails?.length ? `Heads: ${d.head_emails.join(", ")}` : "No head yet"}
                            </span>
                          </td>
                          <td class="row-action">
                            <button
                              class="btn btn-small"
                              type="button"
                              aria-label=${`Edit ${d.code ?? d.id}`}
                              onClick=${() => {
                                setForm({
                                  code: d.code ?? d.id,
                                  name: d.name ?? "",
                                  heads: (d.head_emails ?? []).join(", "),
                                });
                                setMessage(null);
                                first.current?.focus();
                              }}
                            >
                              Edit
                            </button>
                          </td>
                        </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
      }
    </section>
    <form class="card admin-form" id="department-form" aria-labelledby="department-form-title" onSubmit=${submit}>
      <h2 id="department-form-title">Add or change a department</h2>
      <${Field} id="department-code" label="Code" hint="Short, as in the courses file: CS, MECH. The same code again replaces it.">
        <input ref=${first} id="department-code" required autocomplete="off" value=${form.code} onInput=${set("code")} aria-describedby="department-code-hint" />
      <//>
      <${Field} id="department-name" label="Name">
        <input id="department-name" required autocomplete="off" value=${form.name} onInput=${set("name")} />
      <//>
      <${Field} id="department-heads" label="Heads (emails)" hint="Separated by commas or new lines; they get their role at their first verified sign-in.">
        <textarea id="department-heads" rows="2" value=${form.heads} onInput=${set("heads")} aria-describedby="department-heads-hint"></textarea>
      <//>
      <${Message} id="department-message" message=${message} />
      <button class="btn btn-primary" type="submit" id="department-save" disabled=${busy}>Save department</button>
    </form>
  </div>`;
}

// ---- terms ---------------------------------------------------------------------------------

const NO_TERM = { id: "", name: "", startsOn: "", endsOn: "", holidays: "" };

export function TermsPanel({ store, context }) {
  const terms = store.terms.value;
  const error = store.errors.value.terms;
  const [form, setForm] = useState(NO_TERM);
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  const set = (field) => (ev) => setForm({ ...form, [field]: ev.currentTarget.value });

  async function submit(ev) {
    ev.preventDefault();
    const { holidays, errors } = parseHolidays(form.holidays);
    if (errors.length) {
      setMessage({ text: `Not saved: holidays ${errors.join("; ")}.`, error: true });
      return;
    }
    setBusy(true);
    setMessage({ text: "Saving…" });
    try {
      const result = await saveTerm({ ...(await context()), ...form, holidays });
      if (result.state === "saved") {
        setMessage({ text: `Saved term ${result.stored?.id ?? form.id}.` });
        setForm(NO_TERM);
      } else {
        setMessage({ text: adminErrorText(result), error: true });
      }
    } catch (err) {
      setMessage({ text: `Not saved: ${err.message ?? err}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="admin-grid">
    <section class="card" aria-labelledby="terms-title">
      <h2 id="terms-title">Terms</h2>
      ${
        error
          ? html`<p class="form-error" role="alert">Cannot read the terms (${error}).</p>`
          : terms === null
            ? html`<p class="muted">Loading…</p>`
            : !terms.length
              ? html`<p class="muted" id="terms-empty">No terms yet: add the first one with the form.</p>`
              : html`<div class="table-scroll" tabindex="0">
                  <table class="data-table" id="terms">
                    <thead>
                      <tr>
                        <th scope="col">Term</th>
                        <th scope="col">Dates</th>
                        <th scope="col" class="num">Holidays</th>
                        <th scope="col"><span class="visually-hidden">Edit</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${terms.map(
                        (t) => html`<tr key=${t.id} data-term=${t.id}>
                          <th scope="row">
                            <span class="student-name">${t.name ?? t.id}</span>
                            <span class="student-email">${t.id}</span>
                          </th>
                          <td class="dates">${t.starts_on} to ${t.ends_on}</td>
                          <td class="num">${(t.holidays ?? []).length}</td>
                          <td class="row-action">
                            <button
                              class="btn btn-small"
                              type="button"
                              aria-label=${`Edit ${t.id}`}
                              onClick=${() => {
                                setForm({
                                  id: t.id,
                                  name: t.name ?? "",
                                  startsOn: t.starts_on ?? "",
                                  endsOn: t.ends_on ?? "",
                                  holidays: holidaysText(t.holidays),
                                });
                                setMessage(null);
                                first.current?.focus();
                              }}
                            >
                              Edit
                            </button>
                          </td>
                        </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
      }
    </section>
    <form class="card admin-form" id="term-form" aria-labelledby="term-form-title" onSubmit=${submit}>
      <h2 id="term-form-title">Add or change a term</h2>
      <${Field} id="term-id" label="Id" hint="As in the courses file: 2026-odd. The same id again replaces it.">
        <input ref=${first} id="term-id" required autocomplete="off" value=${form.id} onInput=${set("id")} aria-describedby="term-id-hint" />
      <//>
      <${Field} id="term-name" label="Name">
        <input id="term-name" required autocomplete="off" value=${form.name} onInput=${set("name")} />
      <//>
      <div class="admin-dates">
        <${Field} id="term-starts" label="Starts on">
          <input id="term-starts" type="date" required value=${form.startsOn} onInput=${set("startsOn")} />
        <//>
        <${Field} id="term-ends" label="Ends on">
          <input id="term-ends" type="date" required value=${form.endsOn} onInput=${set("endsOn")} />
        <//>
      </div>
      <${Field} id="term-holidays" label="Holidays" hint="One a line: 2026-08-15 Independence Day.">
        <textarea id="term-holidays" rows="3" value=${form.holidays} onInput=${set("holidays")} aria-describedby="term-holidays-hint"></textarea>
      <//>
      <${Message} id="term-message" message=${message} />
      <button class="btn btn-primary" type="submit" id="term-save" disabled=${busy}>Save term</button>
    </form>
  </div>`;
}

// ---- institution settings ------------------------------------------------------------------

/** Institution-wide settings: when an absence request needs a document. */
export function InstitutionSettingsCard({ fsx, context }) {
  const [days, setDays] = useState(null); // null while loading; "" = never required
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const { fs, db } = fsx;
    return fs.onSnapshot(
      fs.doc(db, "institution", "settings"),
      (snap) => setDays((current) => current ?? String(snap.data()?.document_required_after_days ?? "")),
      (err) => setMessage({ text: `Cannot read the settings (${err.code ?? err.message}).`, error: true }),
    );
  }, [fsx]);

  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setMessage({ text: "Saving…" });
    const result = await saveInstitutionSettings({ ...(await context()), documentRequiredAfterDays: days });
    setBusy(false);
    if (result.state === "saved") {
      const n = result.stored?.document_required_after_days;
      setMessage({
        text: n ? `Saved: requests of more than ${n} day(s) need a document.` : "Saved: a document is never required.",
      });
    } else {
      setMessage({ text: adminErrorText(result), error: true });
    }
  }

  return html`<section class="card admin-settings" aria-labelledby="institution-settings-title">
    <h2 id="institution-settings-title">Absence requests</h2>
    <form id="institution-settings-form" novalidate onSubmit=${submit}>
      <${Field}
        id="document-required-after"
        label="A document is required for requests longer than (days)"
        hint="Blank: never required. Students see this when they ask for leave."
      >
        <input
          id="document-required-after"
          type="number"
          min="1"
          step="1"
          inputmode="numeric"
          value=${days ?? ""}
          disabled=${days === null}
          onInput=${(ev) => setDays(ev.currentTarget.value)}
        />
      </${Field}>
      <button class="btn btn-primary" type="submit" id="institution-settings-save" disabled=${busy || days === null}>
        Save
      </button>
      <${Message} id="institution-settings-message" message=${message} />
    </form>
  </section>`;
}

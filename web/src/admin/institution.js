// Departments and terms (institution admins): each a list and a form. Saving one again
// replaces it (POST /admin/departments, /admin/terms, which validate: their message is
// shown as it comes); "Edit" fills the form with a stored one. Texts: `admin.*` in the
// catalogs; codes, names and emails are data (translate="no").
import {
  adminErrorText,
  holidaysText,
  parseHolidays,
  saveDepartment,
  saveInstitutionSettings,
  saveTerm,
} from "../admin-api.js";
import { fmt, t } from "../i18n/index.js";
import { html, useEffect, useRef, useState } from "../ui.js";
import { termDates } from "./store.js";

/** A form's last outcome; its text is a function, worded when shown (it follows a new language). */
function Message({ id, message }) {
  return html`<p class=${message?.error ? "form-error" : "small"} role=${message?.error ? "alert" : "status"} id=${id}>
    ${message?.text() ?? ""}
  </p>`;
}

function Field({ id, label, hint, children }) {
  return html`<div class="admin-field">
    <label for=${id}>${label}</label>
    ${children}
    ${hint ? html`<span class="muted small" id=${`${id}-hint`}>${hint}</span>` : null}
  </div>`;
}

/** The line of a save that threw (the server's or the browser's words as they came). */
function notSaved(err) {
  return t("admin.notSavedBecause", { message: err.message ?? String(err) });
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
    setMessage({ text: () => t("admin.saving") });
    try {
      const result = await saveDepartment({ ...(await context()), ...form });
      if (result.state === "saved") {
        setMessage({ text: () => t("admin.departments.saved", { code: result.stored?.code ?? form.code }) });
        setForm(NO_DEPARTMENT);
      } else {
        setMessage({ text: () => adminErrorText(result), error: true });
      }
    } catch (err) {
      setMessage({ text: () => notSaved(err), error: true });
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="admin-grid">
    <section class="card" aria-labelledby="departments-title">
      <h2 id="departments-title">${t("admin.departments.title")}</h2>
      ${
        error
          ? html`<p class="form-error" role="alert">${t("admin.departments.cannotRead", { error })}</p>`
          : departments === null
            ? html`<p class="muted">${t("common.loading")}</p>`
            : !departments.length
              ? html`<p class="muted" id="departments-empty">${t("admin.departments.empty")}</p>`
              : html`<div class="table-scroll" tabindex="0">
                  <table class="data-table" id="departments">
                    <thead>
                      <tr>
                        <th scope="col">${t("admin.departments.code")}</th>
                        <th scope="col">${t("admin.departments.nameAndHeads")}</th>
                        <th scope="col"><span class="visually-hidden">${t("admin.edit")}</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${departments.map(
                        (d) => html`<tr key=${d.id} data-department=${d.id}>
                          <th scope="row" translate=${false}>${d.code ?? d.id}</th>
                          <td>
                            <span class="student-name" translate=${false}>${d.name}</span>
                            <span class="student-email emails">
                              ${
                                d.head_emails?.length
                                  ? html`${t("admin.departments.heads")}${" "}<span translate=${false}>
                                      ${d.head_emails.join(", ")}
                                    </span>`
                                  : t("admin.departments.noHead")
                              }
                            </span>
                          </td>
                          <td class="row-action">
                            <button
                              class="btn btn-small"
                              type="button"
                              aria-label=${t("admin.editOne", { name: d.code ?? d.id })}
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
                              ${t("admin.edit")}
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
      <h2 id="department-form-title">${t("admin.departments.formTitle")}</h2>
      <${Field} id="department-code" label=${t("admin.departments.code")} hint=${t("admin.departments.codeHint")}>
        <input ref=${first} id="department-code" required autocomplete="off" value=${form.code} onInput=${set("code")} aria-describedby="department-code-hint" />
      <//>
      <${Field} id="department-name" label=${t("admin.name")}>
        <input id="department-name" required autocomplete="off" value=${form.name} onInput=${set("name")} />
      <//>
      <${Field} id="department-heads" label=${t("admin.departments.headsLabel")} hint=${t("admin.departments.headsHint")}>
        <textarea id="department-heads" rows="2" value=${form.heads} onInput=${set("heads")} aria-describedby="department-heads-hint"></textarea>
      <//>
      <${Message} id="department-message" message=${message} />
      <button class="btn btn-primary" type="submit" id="department-save" disabled=${busy}>
        ${t("admin.departments.save")}
      </button>
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
      setMessage({ text: () => t("admin.terms.badHolidays", { errors: errors.join("; ") }), error: true });
      return;
    }
    setBusy(true);
    setMessage({ text: () => t("admin.saving") });
    try {
      const result = await saveTerm({ ...(await context()), ...form, holidays });
      if (result.state === "saved") {
        setMessage({ text: () => t("admin.terms.saved", { id: result.stored?.id ?? form.id }) });
        setForm(NO_TERM);
      } else {
        setMessage({ text: () => adminErrorText(result), error: true });
      }
    } catch (err) {
      setMessage({ text: () => notSaved(err), error: true });
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="admin-grid">
    <section class="card" aria-labelledby="terms-title">
      <h2 id="terms-title">${t("admin.terms.title")}</h2>
      ${
        error
          ? html`<p class="form-error" role="alert">${t("admin.terms.cannotRead", { error })}</p>`
          : terms === null
            ? html`<p class="muted">${t("common.loading")}</p>`
            : !terms.length
              ? html`<p class="muted" id="terms-empty">${t("admin.terms.empty")}</p>`
              : html`<div class="table-scroll" tabindex="0">
                  <table class="data-table" id="terms">
                    <thead>
                      <tr>
                        <th scope="col">${t("admin.terms.term")}</th>
                        <th scope="col">${t("admin.terms.dates")}</th>
                        <th scope="col" class="num">${t("admin.terms.holidays")}</th>
                        <th scope="col"><span class="visually-hidden">${t("admin.edit")}</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${terms.map(
                        (term) => html`<tr key=${term.id} data-term=${term.id}>
                          <th scope="row" translate=${false}>
                            <span class="student-name">${term.name ?? term.id}</span>
                            <span class="student-email">${term.id}</span>
                          </th>
                          <td class="dates">${termDates(term)}</td>
                          <td class="num">${fmt.number((term.holidays ?? []).length)}</td>
                          <td class="row-action">
                            <button
                              class="btn btn-small"
                              type="button"
                              aria-label=${t("admin.editOne", { name: term.id })}
                              onClick=${() => {
                                setForm({
                                  id: term.id,
                                  name: term.name ?? "",
                                  startsOn: term.starts_on ?? "",
                                  endsOn: term.ends_on ?? "",
                                  holidays: holidaysText(term.holidays),
                                });
                                setMessage(null);
                                first.current?.focus();
                              }}
                            >
                              ${t("admin.edit")}
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
      <h2 id="term-form-title">${t("admin.terms.formTitle")}</h2>
      <${Field} id="term-id" label=${t("admin.terms.id")} hint=${t("admin.terms.idHint")}>
        <input ref=${first} id="term-id" required autocomplete="off" value=${form.id} onInput=${set("id")} aria-describedby="term-id-hint" />
      <//>
      <${Field} id="term-name" label=${t("admin.name")}>
        <input id="term-name" required autocomplete="off" value=${form.name} onInput=${set("name")} />
      <//>
      <div class="admin-dates">
        <${Field} id="term-starts" label=${t("admin.terms.startsOn")}>
          <input id="term-starts" type="date" required value=${form.startsOn} onInput=${set("startsOn")} />
        <//>
        <${Field} id="term-ends" label=${t("admin.terms.endsOn")}>
          <input id="term-ends" type="date" required value=${form.endsOn} onInput=${set("endsOn")} />
        <//>
      </div>
      <${Field} id="term-holidays" label=${t("admin.terms.holidays")} hint=${t("admin.terms.holidaysHint")}>
        <textarea id="term-holidays" rows="3" value=${form.holidays} onInput=${set("holidays")} aria-describedby="term-holidays-hint"></textarea>
      <//>
      <${Message} id="term-message" message=${message} />
      <button class="btn btn-primary" type="submit" id="term-save" disabled=${busy}>${t("admin.terms.save")}</button>
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
      (err) =>
        setMessage({ text: () => t("admin.settings.cannotRead", { error: err.code ?? err.message }), error: true }),
    );
  }, [fsx]);

  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    setMessage({ text: () => t("admin.saving") });
    const result = await saveInstitutionSettings({ ...(await context()), documentRequiredAfterDays: days });
    setBusy(false);
    if (result.state === "saved") {
      const n = result.stored?.document_required_after_days;
      setMessage({
        text: () => (n ? t("admin.settings.savedDays", { count: n }) : t("admin.settings.savedNever")),
      });
    } else {
      setMessage({ text: () => adminErrorText(result), error: true });
    }
  }

  return html`<section class="card admin-settings" aria-labelledby="institution-settings-title">
    <h2 id="institution-settings-title">${t("admin.settings.title")}</h2>
    <form id="institution-settings-form" novalidate onSubmit=${submit}>
      <${Field}
        id="document-required-after"
        label=${t("admin.settings.label")}
        hint=${t("admin.settings.hint")}
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
        ${t("admin.settings.save")}
      </button>
      <${Message} id="institution-settings-message" message=${message} />
    </form>
  </section>`;
}

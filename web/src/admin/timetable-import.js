// A term's timetable import: pick the term (its dates and holidays shown), then the
// upload / preview / apply flow of import-panel.js for it. The preview lists the
// planned sessions the file adds, moves, changes (room or end) and cancels; holidays
// are left out by the server. Institution admins import any course's rows, heads of
// department their departments'. Texts: `adminImport.timetable.*`.
import { fmt, t } from "../i18n/index.js";
import { html, useState } from "../ui.js";
import { ImportPanel } from "./import-panel.js";
import { termDates } from "./store.js";

export function TimetableImport({ store, user, fsx, me, context }) {
  const terms = store.terms.value;
  const error = store.errors.value.terms;
  const [chosen, setChosen] = useState("");
  if (error) return html`<p class="form-error" role="alert">${t("adminImport.timetable.cannotList", { error })}</p>`;
  if (terms === null) return html`<p class="muted" role="status">${t("adminImport.timetable.loading")}</p>`;
  if (!terms.length) {
    return html`<p class="notice" id="timetable-no-terms">
      ${
        me.admin
          ? html`${t("adminImport.timetable.noTerm")}${" "}<a href="#/admin/terms">${t("adminImport.timetable.noTermLink")}</a>${t("adminImport.timetable.noTermAfter")}`
          : t("adminImport.timetable.noTermHead")
      }
    </p>`;
  }
  const term = terms.find((t) => t.id === chosen) ?? null;
  return html`<div class="timetable-import">
    <div class="card course-pick">
      <label for="timetable-term">${t("adminImport.timetable.term")}</label>
      <select
        id="timetable-term"
        value=${chosen}
        onChange=${(ev) => setChosen(ev.currentTarget.value)}
        aria-describedby="timetable-term-facts"
      >
        <option value="">${t("adminImport.timetable.choose")}</option>
        ${terms.map(
          (term) =>
            html`<option key=${term.id} value=${term.id} translate=${false}>${term.id} · ${term.name ?? ""}</option>`,
        )}
      </select>
      <p class="muted small" id="timetable-term-facts">
        ${term ? termFacts(term) : t("adminImport.timetable.count", { count: terms.length, n: fmt.number(terms.length) })}
      </p>
    </div>
    ${
      term
        ? html`<${ImportPanel}
            key=${term.id}
            kind="timetable"
            termId=${term.id}
            title=${html`${t("adminImport.timetable.title")} <span translate=${false}>${term.name ?? term.id}</span>`}
            user=${user}
            fsx=${fsx}
            context=${context}
            intro=${html`<p>
                ${t("adminImport.timetable.intro")}
                ${me.admin ? "" : html`${" "}${t("adminImport.timetable.yours", { departments: me.departments.join(", ") })}`}
              </p>
              <details class="format">
                <summary>${t("adminImport.fileFormat")}</summary>
                <pre class="sample" translate=${false}>
Course Code;Div;Batch;Type;Day;Start Time;End Time;Venue
CS301;A;;Lecture;Mon;09:00;10:00;A-101
CS301;;A1;Lab;Tue;2:00 PM;4:00 PM;Lab 1</pre
                >
                <p class="muted small">${t("adminImport.timetable.format")}</p>
              </details>`}
          />`
        : null
    }
  </div>`;
}

/** The chosen term in a line: its dates and holidays (their names are data). */
function termFacts(term) {
  const holidays = term.holidays ?? [];
  const names = holidays.map((h) => `${h.date}${h.name ? ` ${h.name}` : ""}`).join(", ");
  return html`${termDates(term)}${" · "}${
    holidays.length
      ? html`${t("adminImport.timetable.holidays")}${" "}<span translate=${false}>${names}</span>`
      : t("adminImport.timetable.noHolidays")
  }`;
}

// A term's timetable import: pick the term (its dates and holidays shown), then the
// upload / preview / apply flow of import-panel.js for it. The preview lists the
// planned sessions the file adds, moves, changes (room or end) and cancels; holidays
// are left out by the server. Institution admins import any course's rows, heads of
// department their departments'.
import { html, useState } from "../ui.js";
import { ImportPanel } from "./import-panel.js";

export function TimetableImport({ store, user, fsx, me, context }) {
  const terms = store.terms.value;
  const error = store.errors.value.terms;
  const [chosen, setChosen] = useState("");
  if (error) return html`<p class="form-error" role="alert">Cannot list the terms (${error}).</p>`;
  if (terms === null) return html`<p class="muted" role="status">Loading the terms…</p>`;
  if (!terms.length) {
    return html`<p class="notice" id="timetable-no-terms">
      There is no term yet: ${me.admin ? html`<a href="#/admin/terms">set the term</a>` : "an institution admin sets it"}
      and import its courses first.
    </p>`;
  }
  const term = terms.find((t) => t.id === chosen) ?? null;
  return html`<div class="timetable-import">
    <div class="card course-pick">
      <label for="timetable-term">Term</label>
      <select
        id="timetable-term"
        value=${chosen}
        onChange=${(ev) => setChosen(ev.currentTarget.value)}
        aria-describedby="timetable-term-facts"
      >
        <option value="">Choose a term…</option>
        ${terms.map((t) => html`<option key=${t.id} value=${t.id}>${t.id} · ${t.name ?? ""}</option>`)}
      </select>
      <p class="muted small" id="timetable-term-facts">
        ${term ? termFacts(term) : `${terms.length} ${terms.length === 1 ? "term" : "terms"}.`}
      </p>
    </div>
    ${
      term
        ? html`<${ImportPanel}
            key=${term.id}
            kind="timetable"
            termId=${term.id}
            title=${`Timetable of ${term.name ?? term.id}`}
            user=${user}
            fsx=${fsx}
            context=${context}
            intro=${html`<p>
                One row per weekly slot: the course's code, the division or the batch (or neither: the whole
                course), the kind (theory, practical, tutorial), the day, start and end time, and the room. It plans
                every session of the term, holidays left out. Sessions already held, past, or moved or cancelled by
                their teachers are left as they are; a slot no longer in the file cancels its sessions to come.
                ${me.admin ? "" : ` You may import the rows of ${me.departments.join(", ")}'s courses.`}
              </p>
              <details class="format">
                <summary>File format</summary>
                <pre class="sample">
Course Code;Div;Batch;Type;Day;Start Time;End Time;Venue
CS301;A;;Lecture;Mon;09:00;10:00;A-101
CS301;;A1;Lab;Tue;2:00 PM;4:00 PM;Lab 1</pre
                >
                <p class="muted small">
                  Headers in any case, or by their aliases (Subject Code, Div, Practical Batch, Session Type, From,
                  To, Hall…). Kinds as Lecture/TH, Lab/PR, Tut; days as Mon or Monday; times as 09:00 or 2:30 PM.
                  Optional From Week and To Week limit a slot to some weeks of the term. Excel's and Google Sheets'
                  CSV files as they are; at most 2 MB.
                </p>
              </details>`}
          />`
        : null
    }
  </div>`;
}

function termFacts(t) {
  const holidays = t.holidays ?? [];
  return [
    `${t.starts_on ?? "?"} to ${t.ends_on ?? "?"}`,
    holidays.length
      ? `holidays: ${holidays.map((h) => `${h.date}${h.name ? ` ${h.name}` : ""}`).join(", ")}`
      : "no holidays",
  ].join(" · ");
}

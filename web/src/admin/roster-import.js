// A course's roster import: pick the course (those the person may import rosters for:
// every course for an institution admin, their departments' for a head), then the
// upload / preview / apply flow of import-panel.js for it.
import { html, useState } from "../ui.js";
import { ImportPanel } from "./import-panel.js";

export function RosterImport({ store, user, fsx, context }) {
  const courses = store.courses.value;
  const error = store.errors.value.courses;
  const [chosen, setChosen] = useState("");
  if (error) return html`<p class="form-error" role="alert">Cannot list the courses (${error}).</p>`;
  if (courses === null) return html`<p class="muted" role="status">Loading the courses…</p>`;
  if (!courses.length) {
    return html`<p class="notice" id="roster-no-courses">
      There are no courses to import a roster for yet: <a href="#/admin/courses">import the courses file</a> first.
    </p>`;
  }
  const course = courses.find((c) => c.id === chosen) ?? null;
  const terms = [...new Set(courses.map((c) => c.term_id ?? ""))];
  return html`<div class="roster-import">
    <div class="card course-pick">
      <label for="roster-course">Course</label>
      <select
        id="roster-course"
        value=${chosen}
        onChange=${(ev) => setChosen(ev.currentTarget.value)}
        aria-describedby="roster-course-facts"
      >
        <option value="">Choose a course…</option>
        ${terms.map(
          (term) => html`<optgroup key=${term} label=${term ? `Term ${term}` : "No term"}>
            ${courses
              .filter((c) => (c.term_id ?? "") === term)
              .map((c) => html`<option key=${c.id} value=${c.id}>${c.code ?? c.id} · ${c.name ?? ""}</option>`)}
          </optgroup>`,
        )}
      </select>
      <p class="muted small" id="roster-course-facts">
        ${course ? courseFacts(course) : `${courses.length} ${courses.length === 1 ? "course" : "courses"} you may import a roster for.`}
      </p>
    </div>
    ${
      course
        ? html`<${ImportPanel}
            key=${course.id}
            kind="roster"
            courseId=${course.id}
            title=${`Roster of ${course.code ?? course.id} · ${course.name ?? ""}`}
            user=${user}
            fsx=${fsx}
            context=${context}
            intro=${html`<p>
                One row per student: roll no, name, email, and
                ${course.divisions?.length ? ` the division (${course.divisions.join(", ")})` : " division if the course has any"},
                optionally PRN, batch and guardian email. The file is the whole class: a student left out loses the
                course (their records stay).
              </p>
              <details class="format">
                <summary>File format</summary>
                <pre class="sample">
Roll No;PRN;Student Name;E-mail;Division;Batch
1;72100001;Asha Sharma;asha.sharma@college.example;A;A1</pre
                >
                <p class="muted small">
                  Headers in any case, or by their aliases (Roll Number, Student Name, Email ID, Div…). Excel's and
                  Google Sheets' CSV files as they are; at most 5,000 rows and 2 MB.
                </p>
              </details>`}
          />`
        : null
    }
  </div>`;
}

function courseFacts(c) {
  const staff = Object.values(c.staff ?? {});
  const teachers = staff.filter((s) => s.role === "teacher").map((s) => s.email);
  return [
    c.id,
    c.divisions?.length ? `divisions ${c.divisions.join(", ")}` : "no divisions",
    `${(c.roster_count ?? 0).toLocaleString("en")} on the roster`,
    teachers.length ? `taught by ${teachers.join(", ")}` : "no teacher yet",
  ].join(" · ");
}

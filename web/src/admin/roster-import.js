// A course's roster import: pick the course (those the person may import rosters for:
// every course for an institution admin, their departments' for a head), then the
// upload / preview / apply flow of import-panel.js for it. Texts: `adminImport.roster.*`.
import { IMPORTS } from "../contracts.js";
import { fmt, t } from "../i18n/index.js";
import { html, useState } from "../ui.js";
import { ImportPanel } from "./import-panel.js";

export function RosterImport({ store, user, fsx, context }) {
  const courses = store.courses.value;
  const error = store.errors.value.courses;
  const [chosen, setChosen] = useState("");
  if (error) return html`<p class="form-error" role="alert">${t("adminImport.roster.cannotList", { error })}</p>`;
  if (courses === null) return html`<p class="muted" role="status">${t("adminImport.roster.loading")}</p>`;
  if (!courses.length) {
    return html`<p class="notice" id="roster-no-courses">
      ${t("adminImport.roster.noCourses")}${" "}<a href="#/admin/courses">${t("adminImport.roster.noCoursesLink")}</a>${t("adminImport.roster.noCoursesAfter")}
    </p>`;
  }
  const course = courses.find((c) => c.id === chosen) ?? null;
  const terms = [...new Set(courses.map((c) => c.term_id ?? ""))];
  return html`<div class="roster-import">
    <div class="card course-pick">
      <label for="roster-course">${t("adminImport.roster.course")}</label>
      <select
        id="roster-course"
        value=${chosen}
        onChange=${(ev) => setChosen(ev.currentTarget.value)}
        aria-describedby="roster-course-facts"
      >
        <option value="">${t("adminImport.roster.choose")}</option>
        ${terms.map(
          (term) => html`<optgroup
            key=${term}
            label=${term ? t("adminImport.roster.term", { term }) : t("adminImport.roster.noTerm")}
          >
            ${courses
              .filter((c) => (c.term_id ?? "") === term)
              .map(
                (c) =>
                  html`<option key=${c.id} value=${c.id} translate=${false}>${c.code ?? c.id} · ${c.name ?? ""}</option>`,
              )}
          </optgroup>`,
        )}
      </select>
      <p class="muted small" id="roster-course-facts">
        ${course ? courseFacts(course) : t("adminImport.roster.count", { count: courses.length, n: fmt.number(courses.length) })}
      </p>
    </div>
    ${
      course
        ? html`<${ImportPanel}
            key=${course.id}
            kind="roster"
            courseId=${course.id}
            title=${html`${t("adminImport.roster.title")}${" "}<span translate=${false}>
                ${course.code ?? course.id} · ${course.name ?? ""}
              </span>`}
            user=${user}
            fsx=${fsx}
            context=${context}
            intro=${html`<p>
                ${
                  course.divisions?.length
                    ? t("adminImport.roster.introDivisions", { divisions: course.divisions.join(", ") })
                    : t("adminImport.roster.intro")
                }
              </p>
              <details class="format">
                <summary>${t("adminImport.fileFormat")}</summary>
                <pre class="sample" translate=${false}>
Roll No;PRN;Student Name;E-mail;Division;Batch
1;72100001;Asha Sharma;asha.sharma@college.example;A;A1</pre
                >
                <p class="muted small">
                  ${t("adminImport.roster.format", { rows: fmt.number(IMPORTS.maxRows), mb: fmt.number(IMPORTS.maxBytes / 1048576) })}
                </p>
              </details>`}
          />`
        : null
    }
  </div>`;
}

/** The chosen course in a line: its id, divisions, roster size and teachers (data untranslated). */
function courseFacts(c) {
  const staff = Object.values(c.staff ?? {});
  const teachers = staff.filter((s) => s.role === "teacher").map((s) => s.email);
  const data = (text) => html`<span translate=${false}>${text}</span>`;
  const parts = [
    data(c.id),
    c.divisions?.length
      ? html`${t("adminImport.roster.divisions")}${" "}${data(c.divisions.join(", "))}`
      : t("adminImport.roster.noDivisions"),
    t("adminImport.roster.onRoster", { count: c.roster_count ?? 0, n: fmt.number(c.roster_count ?? 0) }),
    teachers.length
      ? html`${t("adminImport.roster.taughtBy")}${" "}${data(teachers.join(", "))}`
      : t("adminImport.roster.noTeacher"),
  ];
  return parts.map((part, i) => html`${i ? " · " : ""}${part}`);
}

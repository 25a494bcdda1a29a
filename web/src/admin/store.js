// The admin page's one state store: the institution's departments and terms, the
// courses the person may import rosters for, and whether each list has loaded (or why
// not). Panels read these signals; the listeners in index.js write them.
import { fmt, t } from "../i18n/index.js";
import { signal } from "../ui.js";

export function createAdminStore() {
  return {
    /** [{id, code, name, head_emails, head_uids}], by code; null while loading. */
    departments: signal(null),
    /** [{id, name, starts_on, ends_on, holidays}], latest first; null while loading. */
    terms: signal(null),
    /** [{id, code, name, term_id, department_id, divisions, roster_count, ...}]; null while loading. */
    courses: signal(null),
    /** list name -> why it could not be read. */
    errors: signal({}),
  };
}

/** Courses for the roster picker: by term (latest first), then code. */
export function sortCourses(courses) {
  return [...courses].sort(
    (a, b) =>
      String(b.term_id ?? "").localeCompare(String(a.term_id ?? "")) ||
      String(a.code ?? a.id).localeCompare(String(b.code ?? b.id), undefined, { numeric: true }),
  );
}

/** Terms, latest start first. */
export function sortTerms(terms) {
  return [...terms].sort(
    (a, b) => String(b.starts_on ?? "").localeCompare(String(a.starts_on ?? "")) || a.id.localeCompare(b.id),
  );
}

/** A term's dates in words: "1 Jul 2026 to 30 Nov 2026" in the page's language. */
export function termDates(term) {
  const day = (iso) =>
    iso
      ? fmt.date(new Date(`${iso}T00:00:00Z`), { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      : "?";
  return t("admin.terms.from", { from: day(term.starts_on), to: day(term.ends_on) });
}

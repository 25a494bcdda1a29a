// An import's report as the admin page shows it, pure (node --test checks it): the
// columns of each kind of file, the added/changed/removed rows as table rows (a changed
// cell says before -> after), every error and warning in words with its line and
// column, the counts, whether the preview may be applied, and pages of long lists (a
// 5,000-row roster renders one page at a time). A timetable's rows are planned
// sessions: one cancelled and one added for the same course, kind and audience in the
// same week is shown as a move (pairMoves), and removed ones are "cancelled".
import { fmt, t } from "../i18n/index.js";
import { sortByRollNo } from "../roll-order.js";
import { audienceLabel, kindLabel } from "../timetable.js";

/** The columns of each import's rows: [field, heading]. */
/** A column: [field, heading], the heading read from the catalog when used. */
function col(field) {
  return Object.freeze(
    Object.defineProperty([field], 1, { enumerable: true, get: () => t(`importReport.col.${field}`) }),
  );
}

/** A list of changes or a count: [key, heading], the heading read when used (`word`: its catalog name). */
function list(key, word = key) {
  return Object.freeze(
    Object.defineProperty([key], 1, { enumerable: true, get: () => t(`importReport.list.${word}`) }),
  );
}

export const COLUMNS = Object.freeze({
  roster: Object.freeze([
    col("roll_no"),
    col("name"),
    col("email"),
    col("division"),
    col("batch"),
    col("prn"),
    col("guardian_email"),
  ]),
  courses: Object.freeze([
    col("code"),
    col("name"),
    col("department_id"),
    col("term_id"),
    col("divisions"),
    col("teachers"),
    col("tas"),
  ]),
  timetable: Object.freeze([
    col("course_id"),
    col("kind"),
    col("audience"),
    col("date"),
    col("start"),
    col("end"),
    col("room"),
  ]),
});

/** Rows per page of every list of the report. */
export const PAGE_SIZE = 50;

/** The lists of changes, in the order shown, with their headings. */
export const CHANGE_LISTS = Object.freeze([list("added"), list("changed"), list("removed")]);

/** A timetable's lists: sessions added, moved (pairMoves), changed (room or end), cancelled. */
const TIMETABLE_LISTS = Object.freeze([list("added"), list("moved"), list("changed"), list("removed", "cancelled")]);

/** The lists of changes of a kind of import, in the order shown, with their headings. */
export function changeLists(kind) {
  return kind === "timetable" ? TIMETABLE_LISTS : CHANGE_LISTS;
}

/** The counts of a kind of import, in the order shown, with their labels. */
export function countLabels(kind) {
  return [...changeLists(kind), list("unchanged")];
}

/** A stored or imported value as text: lists joined, nothing as "". */
export function cellText(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(cellText).join(", ");
  return String(value);
}

/** A field's value as its column shows it: a timetable's audience, kind and day in words,
 * its course by code (the course id without the term's suffix, `term`). */
export function fieldText(field, value, term = null) {
  if (value === null || value === undefined) return "";
  if (field === "course_id" && term && String(value).endsWith(`_${term}`)) {
    return String(value).slice(0, -term.length - 1);
  }
  if (field === "audience" && typeof value === "object" && !Array.isArray(value)) return audienceLabel(value);
  if (field === "kind" && typeof value === "string") return kindLabel(value);
  if (field === "date" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return `${fmt.date(new Date(`${value}T12:00:00Z`), { weekday: "short", timeZone: "UTC" })} ${value}`;
  }
  return cellText(value);
}

/** The Monday of a date's week ("2026-09-10" -> "2026-09-07"). */
function weekOf(iso) {
  const t = Date.parse(`${iso}T12:00:00Z`);
  if (Number.isNaN(t)) return "";
  const back = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - back * 86400000).toISOString().slice(0, 10);
}

const WHEN = ["date", "start", "end", "room"];

/**
 * A timetable's diff as staff read it: the server cancels a session whose day or time
 * changed and adds the new one (a planned session's identity is its time); a session
 * cancelled and one added for the same course, kind and audience in the same week are
 * shown as one move (before -> after), earliest with earliest. Returns the report with
 * `moved` ({key, line, before, after, fields, from}) and what is left of `added` and
 * `removed`, its counts to match. Other reports as they are.
 */
export function pairMoves(report) {
  if (report?.kind !== "timetable" || report.moved) return report;
  const group = (s) =>
    JSON.stringify([s?.course_id, s?.kind, s?.audience?.type ?? "course", s?.audience?.value ?? null, weekOf(s?.date)]);
  const when = (s) => `${s?.date ?? ""} ${s?.start ?? ""}`;
  const waiting = new Map();
  for (const r of [...(report.removed ?? [])].sort((a, b) => when(a.before).localeCompare(when(b.before)))) {
    const key = group(r.before);
    if (!waiting.has(key)) waiting.set(key, []);
    waiting.get(key).push(r);
  }
  const added = [];
  const moved = [];
  const used = new Set();
  for (const a of [...(report.added ?? [])].sort((x, y) => when(x.after).localeCompare(when(y.after)))) {
    const r = waiting.get(group(a.after))?.shift();
    if (!r) {
      added.push(a);
      continue;
    }
    used.add(r.key);
    const fields = WHEN.filter((f) => (r.before?.[f] ?? null) !== (a.after?.[f] ?? null));
    moved.push({ key: a.key, line: a.line, before: r.before, after: a.after, fields, from: r.key });
  }
  const keep = new Set(added.map((a) => a.key));
  const removed = (report.removed ?? []).filter((r) => !used.has(r.key));
  return {
    ...report,
    added: (report.added ?? []).filter((a) => keep.has(a.key)),
    moved,
    removed,
    counts: { ...(report.counts ?? {}), added: keep.size, moved: moved.length, removed: removed.length },
  };
}

/**
 * The rows of one list of changes as table rows: {key, line, cells: [{field, text,
 * before, changed}]}; `before` is the old text of a changed field (else null). Removed
 * roster rows (which have no line) come in roll-number order.
 */
export function changeRows(report, list, kind) {
  const columns = COLUMNS[kind] ?? COLUMNS.roster;
  const term = kind === "timetable" ? (report?.target ?? null) : null;
  let changes = report?.[list] ?? [];
  if (list === "removed" && kind === "roster") {
    changes = sortByRollNo(
      changes.map((c) => ({ ...c, roll_no: c.before?.roll_no, name: c.before?.name, uid: c.key })),
    );
  }
  return changes.map((c) => {
    const fields = new Set(c.fields ?? []);
    const shown = c.after ?? c.before ?? {};
    return {
      key: c.key,
      line: c.line ?? null,
      cells: columns.map(([field]) => {
        const changed = (list === "changed" || list === "moved") && fields.has(field);
        return {
          field,
          text: fieldText(field, shown[field], term),
          before: changed ? fieldText(field, c.before?.[field], term) : null,
          changed,
        };
      }),
    };
  });
}

/** The fields of `rows` (changeRows) that hold something in at least one row: blank columns are left out. */
export function usedFields(rows) {
  const used = new Set();
  for (const row of rows) for (const cell of row.cells) if (cell.text || cell.before) used.add(cell.field);
  return used;
}

/** Where an issue is: "Line 11, column "E-mail"", "Line 3", "Column "Email"", "The file". */
export function issueWhere(issue) {
  const line = Number.isInteger(issue?.line) ? issue.line : null;
  const column = issue?.column || "";
  if (line !== null && column) return t("importReport.whereLineColumn", { line, column });
  if (line !== null) return t("importReport.whereLine", { line });
  if (column) return t("importReport.whereColumn", { column });
  return t("importReport.whereFile");
}

/** An issue in one line: 'Line 11, column "E-mail": 'not an email' is not an email address'. */
export function issueText(issue) {
  return t("importReport.issue", { where: issueWhere(issue), message: issue?.message ?? issue?.code ?? "?" });
}

/** The issues in file order (file-wide ones first), as table rows. */
export function issueRows(issues) {
  return [...(issues ?? [])]
    .map((issue, i) => ({ ...issue, index: i }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.index - b.index)
    .map((issue) => ({
      id: `${issue.index}`,
      line: Number.isInteger(issue.line) ? issue.line : null,
      column: issue.column ?? "",
      code: issue.code ?? "",
      message: issue.message ?? "",
      text: issueText(issue),
    }));
}

/** "3 errors": `what` is errorCount, rowCount or sessionCount. */
const plural = (n, what) => t(`importReport.${what}`, { count: n, n: fmt.number(n) });

/**
 * What the page may do with a report: {errors, changes, canApply, nothing, applied}.
 * Apply only a preview without errors that changes something.
 */
export function reportState(report) {
  const counts = report?.counts ?? {};
  const errors = counts.errors ?? report?.errors?.length ?? 0;
  const changes = (counts.added ?? 0) + (counts.changed ?? 0) + (counts.removed ?? 0) + (counts.moved ?? 0);
  const applied = report?.applied === true;
  return {
    errors,
    changes,
    applied,
    nothing: !errors && !changes,
    canApply: !applied && !errors && changes > 0,
  };
}

/** The headline of a preview or an outcome (a timetable's in sessions: added, moved, changed, cancelled). */
export function headline(report) {
  const { errors, changes, applied } = reportState(report);
  const timetable = report?.kind === "timetable";
  const counts = (timetable ? pairMoves(report) : report)?.counts ?? {};
  const rows = report?.rows ?? 0;
  if (errors) {
    return t("importReport.hasErrors", { errors: plural(errors, "errorCount"), rows: plural(rows, "rowCount") });
  }
  const n = Object.fromEntries(
    ["added", "moved", "changed", "removed", "unchanged"].map((key) => [key, fmt.number(counts[key] ?? 0)]),
  );
  const what = timetable
    ? t("importReport.timetableCounts", { ...n, added: plural(counts.added ?? 0, "sessionCount") })
    : t("importReport.rowCounts", n);
  if (!changes) return t("importReport.nothing");
  return t(applied ? "importReport.applied" : "importReport.ready", { what });
}

/** A page of `rows`: {rows, page, pages, from, to, total} (page counted from 0, clamped). */
export function pageOf(rows, page = 0, size = PAGE_SIZE) {
  const total = rows.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
  const from = total ? p * size + 1 : 0;
  const to = Math.min(total, (p + 1) * size);
  return { rows: rows.slice(p * size, p * size + size), page: p, pages, from, to, total };
}

/** "Rows 51–100 of 5,000". */
export function pageLabel({ from, to, total }) {
  return total
    ? t("importReport.pageLabel", { from: fmt.number(from), to: fmt.number(to), total: fmt.number(total) })
    : "";
}

/** The progress of an apply from its imports/{id} document: {done, total, text, fraction}. */
export function progressOf(doc) {
  const done = Number(doc?.done) || 0;
  const total = Number(doc?.total) || 0;
  if (!total) return { done, total, fraction: null, text: t("importReport.applying") };
  return {
    done,
    total,
    fraction: Math.min(1, done / total),
    text: t("importReport.applyingOf", { done: fmt.number(done), total: fmt.number(total) }),
  };
}

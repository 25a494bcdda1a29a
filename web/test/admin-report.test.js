// Unit tests of the admin page's report model (web/src/admin/report.js): the rows of an
// import's preview as tables, errors in words with their line and column, what may be
// applied, pages of long lists, and the apply's progress.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  COLUMNS,
  cellText,
  changeLists,
  changeRows,
  countLabels,
  fieldText,
  headline,
  issueRows,
  issueText,
  issueWhere,
  PAGE_SIZE,
  pageLabel,
  pageOf,
  pairMoves,
  progressOf,
  reportState,
  usedFields,
} from "../src/admin/report.js";

const counts = (c) => ({ added: 0, changed: 0, removed: 0, unchanged: 0, errors: 0, ...c });
const row = (roll, name, email, division = "A") => ({
  roll_no: roll,
  prn: null,
  name,
  email,
  division,
  batch: null,
  guardian_email: null,
});

const report = {
  kind: "roster",
  rows: 4,
  ok: true,
  applied: false,
  base: 3,
  counts: counts({ added: 1, changed: 1, removed: 2, unchanged: 1 }),
  added: [{ key: "e1", line: 2, before: null, after: row("1", "Asha", "asha@x.example"), fields: null }],
  changed: [
    {
      key: "e2",
      line: 3,
      before: row("2", "Amit", "amit@x.example", "A"),
      after: row("2", "Amit Patil", "amit@x.example", "B"),
      fields: ["division", "name"],
    },
  ],
  removed: [
    { key: "e9", line: null, before: row("10", "Old Ten", "ten@x.example"), after: null, fields: null },
    { key: "e8", line: null, before: row("9", "Old Nine", "nine@x.example"), after: null, fields: null },
  ],
  errors: [],
  warnings: [{ line: 1, column: "Hobby", code: "ignored_column", message: "column 'Hobby' is not imported" }],
};

test("cells: lists joined, nothing blank", () => {
  assert.equal(cellText(["A", "B"]), "A, B");
  assert.equal(cellText(null), "");
  assert.equal(cellText(undefined), "");
  assert.equal(cellText(12), "12");
});

test("added, changed and removed rows as table rows; a changed cell knows what it was", () => {
  const [added] = changeRows(report, "added", "roster");
  assert.equal(added.line, 2);
  assert.deepEqual(
    added.cells.map((c) => c.field),
    COLUMNS.roster.map(([f]) => f),
  );
  assert.equal(added.cells.find((c) => c.field === "name").text, "Asha");
  assert.ok(added.cells.every((c) => !c.changed && c.before === null));

  const [changed] = changeRows(report, "changed", "roster");
  const cell = (field) => changed.cells.find((c) => c.field === field);
  assert.deepEqual([cell("name").before, cell("name").text, cell("name").changed], ["Amit", "Amit Patil", true]);
  assert.deepEqual([cell("division").before, cell("division").text], ["A", "B"]);
  assert.equal(cell("email").changed, false);

  const removed = changeRows(report, "removed", "roster");
  assert.deepEqual(
    removed.map((r) => [r.key, r.line]),
    [
      ["e8", null],
      ["e9", null],
    ],
    "removed students in roll-number order (9 before 10)",
  );
  assert.equal(removed[0].cells.find((c) => c.field === "name").text, "Old Nine");
});

test("columns blank in every row are left out; a field blanked by a change is kept", () => {
  const used = usedFields([...changeRows(report, "added", "roster"), ...changeRows(report, "removed", "roster")]);
  assert.deepEqual([...used].sort(), ["division", "email", "name", "roll_no"]);
  const blanked = {
    changed: [{ key: "k", line: 2, before: { batch: "A1" }, after: { batch: null }, fields: ["batch"] }],
  };
  assert.ok(usedFields(changeRows(blanked, "changed", "roster")).has("batch"));
});

test("a courses file's rows have the courses' columns, lists as text", () => {
  const courses = {
    added: [
      {
        key: "CS301_t",
        line: 2,
        before: null,
        after: {
          code: "CS301",
          name: "DS",
          department_id: "CS",
          term_id: "t",
          divisions: ["A", "B"],
          teachers: ["a@x.example"],
          tas: [],
        },
      },
    ],
  };
  const [r] = changeRows(courses, "added", "courses");
  assert.deepEqual(
    r.cells.map((c) => c.text),
    ["CS301", "DS", "CS", "t", "A, B", "a@x.example", ""],
  );
});

test("errors in words, with their line and column, in file order", () => {
  const issue = {
    line: 11,
    column: "E-mail",
    code: "invalid_email",
    message: "'not an email' is not an email address",
  };
  assert.equal(issueWhere(issue), 'Line 11, column "E-mail"');
  assert.equal(issueText(issue), `Line 11, column "E-mail": 'not an email' is not an email address`);
  assert.equal(issueWhere({ line: 3 }), "Line 3");
  assert.equal(issueWhere({ column: "Email" }), 'Column "Email"');
  assert.equal(issueText({ code: "empty_file", message: "the file is empty" }), "The file: the file is empty");
  const rows = issueRows([
    { line: 40, column: "Roll No", code: "duplicate_roll_no", message: "'7' is also on line 8" },
    { line: null, column: "Name", code: "missing_column", message: "no column Name" },
    issue,
  ]);
  assert.deepEqual(
    rows.map((r) => [r.line, r.column, r.code]),
    [
      [null, "Name", "missing_column"],
      [11, "E-mail", "invalid_email"],
      [40, "Roll No", "duplicate_roll_no"],
    ],
  );
  assert.equal(rows[1].text, issueText(issue));
});

test("apply only a preview without errors that changes something", () => {
  assert.deepEqual(reportState(report), { errors: 0, changes: 4, applied: false, nothing: false, canApply: true });
  const bad = { ...report, ok: false, counts: counts({ errors: 4 }) };
  assert.equal(reportState(bad).canApply, false);
  assert.equal(reportState({ ...report, counts: counts({ unchanged: 5 }) }).nothing, true);
  assert.equal(reportState({ ...report, counts: counts({ unchanged: 5 }) }).canApply, false);
  assert.equal(reportState({ ...report, applied: true }).canApply, false);
});

test("headlines: errors, ready, applied, nothing to do", () => {
  assert.equal(
    headline({ rows: 120, counts: counts({ errors: 4 }) }),
    "4 errors in 120 rows: nothing can be applied. Fix the file and choose it again.",
  );
  assert.equal(headline(report), "Ready to apply: 1 added, 1 changed, 2 removed, 1 unchanged.");
  assert.equal(
    headline({ ...report, applied: true, counts: counts({ added: 1200 }) }),
    "Applied: 1,200 added, 0 changed, 0 removed, 0 unchanged.",
  );
  assert.equal(headline({ counts: counts({ unchanged: 3 }) }), "Nothing to apply: the file matches what is stored.");
});

test("pages of a 5,000-row list: one page at a time, clamped", () => {
  const rows = Array.from({ length: 5000 }, (_, i) => i);
  const first = pageOf(rows);
  assert.equal(first.rows.length, PAGE_SIZE);
  assert.deepEqual([first.page, first.pages, first.from, first.to, first.total], [0, 100, 1, 50, 5000]);
  assert.equal(pageLabel(first), "Rows 1–50 of 5,000");
  const last = pageOf(rows, 99);
  assert.deepEqual([last.rows[0], last.rows.at(-1), last.to], [4950, 4999, 5000]);
  assert.equal(pageOf(rows, 500).page, 99, "past the end: the last page");
  assert.equal(pageOf(rows, -3).page, 0);
  assert.equal(pageOf(rows, 0, 1000).rows.length, 1000);
  const empty = pageOf([]);
  assert.deepEqual([empty.pages, empty.from, empty.to], [1, 0, 0]);
  assert.equal(pageLabel(empty), "");
});

test("progress of an apply from its imports document", () => {
  assert.deepEqual(progressOf({ done: 0, total: 0 }), { done: 0, total: 0, fraction: null, text: "Applying…" });
  const p = progressOf({ done: 800, total: 10000 });
  assert.equal(p.fraction, 0.08);
  assert.equal(p.text, "Applying: 800 of 10,000 writes done");
  assert.equal(progressOf(null).text, "Applying…");
});

// ---- a timetable's preview: planned sessions added, moved, changed, cancelled --------------

const session = (course, kind, audience, date, start, end, room) => ({
  course_id: course,
  kind,
  audience,
  date,
  start,
  end,
  room,
});
const B2 = { type: "batch", value: "B2" };
const DIV_A = { type: "division", value: "A" };

const timetable = {
  kind: "timetable",
  rows: 3,
  ok: true,
  applied: false,
  base: 2,
  counts: counts({ added: 3, changed: 1, removed: 3, unchanged: 40 }),
  // the practical moved from Tuesday 14:00 to Wednesday 10:00 in two weeks; a new tutorial
  added: [
    {
      key: "n2",
      line: 3,
      before: null,
      after: session("C1", "practical", B2, "2026-09-16", "10:00", "12:00", "Lab 2"),
    },
    {
      key: "n1",
      line: 3,
      before: null,
      after: session("C1", "practical", B2, "2026-09-09", "10:00", "12:00", "Lab 2"),
    },
    {
      key: "t1",
      line: 4,
      before: null,
      after: session("C1", "tutorial", { type: "course", value: null }, "2026-09-11", "11:00", "12:00", null),
    },
  ],
  changed: [
    {
      key: "k1",
      line: 2,
      before: session("C1", "theory", DIV_A, "2026-09-07", "09:00", "10:00", "A-101"),
      after: session("C1", "theory", DIV_A, "2026-09-07", "09:00", "10:00", "A-102"),
      fields: ["room"],
    },
  ],
  removed: [
    {
      key: "o1",
      line: null,
      before: session("C1", "practical", B2, "2026-09-08", "14:00", "16:00", "Lab 2"),
      after: null,
    },
    {
      key: "o2",
      line: null,
      before: session("C1", "practical", B2, "2026-09-15", "14:00", "16:00", "Lab 2"),
      after: null,
    },
    // a week with no new session for B2: cancelled, not moved
    {
      key: "o3",
      line: null,
      before: session("C1", "practical", B2, "2026-09-22", "14:00", "16:00", "Lab 2"),
      after: null,
    },
  ],
  errors: [],
  warnings: [],
};

test("a timetable's session cancelled and added in the same week for the same group is a move", () => {
  const shown = pairMoves(timetable);
  assert.deepEqual(
    shown.moved.map((m) => [m.from, m.key, m.fields]),
    [
      ["o1", "n1", ["date", "start", "end"]],
      ["o2", "n2", ["date", "start", "end"]],
    ],
  );
  assert.deepEqual(
    shown.added.map((a) => a.key),
    ["t1"],
  );
  assert.deepEqual(
    shown.removed.map((r) => r.key),
    ["o3"],
  );
  assert.deepEqual(shown.counts, { ...timetable.counts, added: 1, moved: 2, removed: 1 });
  assert.equal(pairMoves(shown), shown, "once is enough");
  assert.equal(pairMoves(report), report, "other imports as they are");
  assert.deepEqual(
    changeLists("timetable").map(([list, title]) => `${list}:${title}`),
    ["added:Added", "moved:Moved", "changed:Changed", "removed:Cancelled"],
  );
  assert.deepEqual(
    countLabels("roster").map(([key]) => key),
    ["added", "changed", "removed", "unchanged"],
  );
  assert.equal(headline(timetable), "Ready to apply: 1 session added, 2 moved, 1 changed, 1 cancelled, 40 unchanged.");
  // moves alone are changes to apply
  const movesOnly = {
    ...timetable,
    added: timetable.added.slice(0, 2),
    changed: [],
    removed: timetable.removed.slice(0, 2),
    counts: counts({ added: 2, removed: 2, unchanged: 5 }),
  };
  assert.equal(headline(movesOnly), "Ready to apply: 0 sessions added, 2 moved, 0 changed, 0 cancelled, 5 unchanged.");
  assert.equal(reportState(pairMoves(movesOnly)).canApply, true);
});

test("a timetable's rows in words: the kind, who it is for, the day; a move before -> after", () => {
  const shown = pairMoves(timetable);
  const [move] = changeRows(shown, "moved", "timetable");
  const cells = Object.fromEntries(move.cells.map((c) => [c.field, c]));
  assert.equal(cells.course_id.text, "C1");
  const coded = { ...shown, target: "t1", added: [{ key: "x", line: 2, after: { course_id: "CS301_t1" } }] };
  assert.equal(changeRows(coded, "added", "timetable")[0].cells[0].text, "CS301");
  assert.equal(cells.kind.text, "Practical");
  assert.equal(cells.audience.text, "Batch B2");
  assert.deepEqual(
    [cells.date.before, cells.date.text, cells.date.changed],
    ["Tue 2026-09-08", "Wed 2026-09-09", true],
  );
  assert.deepEqual([cells.start.before, cells.start.text], ["14:00", "10:00"]);
  assert.equal(cells.room.changed, false);
  const [tutorial] = changeRows(shown, "added", "timetable");
  assert.equal(tutorial.cells.find((c) => c.field === "audience").text, "Whole course");
  assert.equal(fieldText("audience", { type: "division", value: "A" }), "Division A");
  assert.equal(fieldText("date", "soon"), "soon");
  assert.equal(fieldText("room", null), "");
});

// Unit tests of the department view's data (web/src/admin/department-data.js) and its
// request (admin-api.js): the plot's series aligned on every session's start, the counts
// table, the heatmap's cells with letters and hover text, a 120-student class, and the
// query string.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  countRows,
  heatmapCells,
  lineSeries,
  percentText,
  pointText,
  STATES,
  seconds,
} from "../src/admin/department-data.js";
import { departmentErrorText, departmentPath, fetchDepartmentView } from "../src/admin-api.js";

const point = (sid, at, present, absent, extra = {}) => ({
  session_id: sid,
  starts_at: at,
  kind: "theory",
  students: present + absent,
  present,
  late: 0,
  excused: 0,
  absent,
  attended: present,
  counted: present + absent,
  percent: present + absent ? Math.round((present / (present + absent)) * 1000) / 10 : null,
  ...extra,
});

const VIEW = {
  department: { id: "COMP", name: "Computer Engineering" },
  division: null,
  as_of: "2026-09-30",
  terms: ["Odd term"],
  states: ["present", "late", "excused", "absent"],
  counts: { present: 7, late: 1, excused: 1, absent: 3 },
  percent: 72.7,
  courses: [
    {
      id: "CS301_T",
      code: "CS301",
      name: "Distributed Systems",
      divisions: ["A", "B"],
      present: 5,
      late: 1,
      excused: 1,
      absent: 1,
      percent: 85.7,
      series: [
        {
          division: null,
          label: "CS301",
          points: [point("s1", "2026-09-01T04:00:00+00:00", 3, 1), point("s3", "2026-09-03T04:00:00+00:00", 2, 0)],
        },
        { division: "A", label: "CS301 A", points: [point("s1", "2026-09-01T04:00:00+00:00", 2, 1)] },
        { division: "B", label: "CS301 B", points: [point("s1", "2026-09-01T04:00:00+00:00", 1, 0)] },
      ],
    },
    {
      id: "CS302_T",
      code: "CS302",
      name: "Compilers",
      divisions: ["A"],
      present: 2,
      late: 0,
      excused: 0,
      absent: 2,
      percent: 50,
      series: [{ division: null, label: "CS302", points: [point("s2", "2026-09-02T04:00:00+00:00", 2, 2)] }],
    },
  ],
  heatmap: null,
};

test("the plot has one series per line, on every session's start, null where a line has no session", () => {
  const { data, series } = lineSeries(VIEW);
  assert.deepEqual(
    series.map((s) => s.label),
    ["CS301", "CS301 A", "CS301 B", "CS302"],
  );
  const [xs, ...ys] = data;
  assert.deepEqual(xs, [
    seconds("2026-09-01T04:00:00+00:00"),
    seconds("2026-09-02T04:00:00+00:00"),
    seconds("2026-09-03T04:00:00+00:00"),
  ]);
  assert.deepEqual(ys[0], [75, null, 100]);
  assert.deepEqual(ys[1], [66.7, null, null]);
  assert.deepEqual(ys[3], [null, 50, null]);
  assert.equal(series[0].points.get(xs[2]).session_id, "s3");
  assert.equal(series[1].division, "A");
});

test("a session with nothing counted (all excused) is a gap, not 0 %", () => {
  const view = {
    courses: [
      {
        id: "C",
        series: [{ label: "C", points: [point("s", "2026-09-01T04:00:00Z", 0, 0, { excused: 3, students: 3 })] }],
      },
    ],
  };
  assert.deepEqual(lineSeries(view).data, [[seconds("2026-09-01T04:00:00Z")], [null]]);
  assert.deepEqual(lineSeries(null).data, [[]]);
});

test("the hover value says the percentage and the counts per status", () => {
  assert.equal(pointText(point("s1", "2026-09-01T04:00:00Z", 3, 1)), "75 % (4 counted; P 3, L 0, E 0, A 1)");
  assert.equal(pointText(undefined), "–");
  assert.equal(percentText(null), "–");
});

test("the counts table: the department first, then each course with its link to the course view", () => {
  const rows = countRows(VIEW);
  assert.deepEqual(
    rows.map((r) => [r.key, r.label, r.link, r.total, r.percent]),
    [
      ["department", "All courses of COMP", null, 12, 72.7],
      ["CS301_T", "CS301 Distributed Systems", "#/course/CS301_T", 8, 85.7],
      ["CS302_T", "CS302 Compilers", "#/course/CS302_T", 4, 50],
    ],
  );
  assert.deepEqual(
    rows[2].cells.map((c) => [c.state, c.count, c.share]),
    [
      ["present", 2, 0.5],
      ["late", 0, 0],
      ["excused", 0, 0],
      ["absent", 2, 0.5],
    ],
  );
  assert.deepEqual(STATES, ["present", "late", "excused", "absent"]);
});

test("the heatmap: a letter per cell (not colour alone), the hover text with who, when and what", () => {
  const grid = {
    course_id: "CS301_T",
    sessions: [
      { id: "s1", starts_at: "2026-09-01T04:00:00+00:00", kind: "theory" },
      { id: "s2", starts_at: "2026-09-02T04:00:00+00:00", kind: "practical" },
    ],
    students: [
      { uid: "u1", roll_no: "1", name: "Meera Iyer", division: "A", statuses: ["present", "late"] },
      { uid: "u2", roll_no: "2", name: "श्रुती त्रिपाठी", division: "B", statuses: ["absent", null] },
    ],
  };
  const { columns, rows } = heatmapCells(grid, { formatDate: (d) => d.toISOString().slice(0, 10) });
  assert.deepEqual(
    columns.map((c) => [c.id, c.kind]),
    [
      ["s1", "theory"],
      ["s2", "practical"],
    ],
  );
  assert.deepEqual(
    rows.map((r) => r.cells.map((c) => c.letter).join("")),
    ["PL", "A·"],
  );
  assert.equal(rows[0].cells[1].title, "1 Meera Iyer, 2026-09-02: Late");
  assert.equal(rows[1].cells[1].title, "2 श्रुती त्रिपाठी, 2026-09-02: Not in this session");
  assert.equal(rows[1].cells[1].state, null);
});

test("a class of 120 students and 40 sessions gives every cell, in the server's roll-number order", () => {
  const sessions = Array.from({ length: 40 }, (_, i) => ({
    id: `s${i}`,
    starts_at: new Date(Date.UTC(2026, 7, 1 + i, 4)).toISOString(),
    kind: "theory",
  }));
  const students = Array.from({ length: 120 }, (_, i) => ({
    uid: `u${i}`,
    roll_no: String(i + 1),
    name: `Student ${i + 1}`,
    statuses: sessions.map((_, j) => STATES[(i + j) % 4]),
  }));
  const { rows } = heatmapCells({ sessions, students });
  assert.equal(rows.length, 120);
  assert.equal(
    rows.reduce((n, r) => n + r.cells.length, 0),
    4800,
  );
  assert.equal(rows[119].rollNo, "120");
});

test("the request asks for what is chosen only, and a refusal reads as words with its code", async () => {
  assert.equal(departmentPath({ department: "COMP" }), "reports/department?department=COMP");
  assert.equal(
    departmentPath({ department: "COMP", division: "A", asOf: "2026-09-30", course: "CS301_T" }),
    "reports/department?department=COMP&division=A&as_of=2026-09-30&course=CS301_T",
  );
  const seen = [];
  const fetchImpl = async (url, init) => {
    seen.push([url, init.method, init.headers.Authorization]);
    return new Response(JSON.stringify(VIEW), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  const ok = await fetchDepartmentView({ scanUrl: "http://x/", idToken: "t", fetchImpl, department: "COMP" });
  assert.equal(ok.state, "ok");
  assert.equal(ok.view.courses.length, 2);
  assert.deepEqual(seen, [["http://x/reports/department?department=COMP", "GET", "Bearer t"]]);
  const refused = await fetchDepartmentView({
    scanUrl: "http://x/",
    idToken: "t",
    department: "COMP",
    fetchImpl: async () =>
      new Response(JSON.stringify({ error: { code: "forbidden", message: "no" } }), { status: 403 }),
  });
  assert.equal(refused.code, "forbidden");
  assert.match(departmentErrorText(refused), /heads and institution admins.*\(forbidden\)/);
});

test("the plot's options: labelled axes, 0–100 %, a dashed line per division, hover values from the points", async () => {
  const { plotOptions } = await import("../src/admin/department.js");
  const { data, series } = lineSeries(VIEW);
  const options = plotOptions(series, 800);
  assert.deepEqual(
    options.axes.map((a) => a.label),
    ["Session date", "Attendance (%)"],
  );
  assert.deepEqual(options.scales.y.range, [0, 100]);
  assert.equal(options.series.length, 1 + series.length);
  assert.equal(options.series[1].dash, undefined);
  assert.deepEqual(options.series[2].dash, [6, 4]);
  assert.equal(options.series[1].stroke, options.series[2].stroke); // a course's divisions in its colour
  assert.notEqual(options.series[1].stroke, options.series[4].stroke);
  const u = { data };
  assert.equal(options.series[1].value(u, 75, 1, 0), "75 % (4 counted; P 3, L 0, E 0, A 1)");
  assert.equal(options.series[4].value(u, null, 4, 0), "–");
  assert.deepEqual(options.axes[1].values(null, [0, 50]), ["0 %", "50 %"]);
});

test("the plot's x range: the sessions' own, or a day either side when they fall within one day", async () => {
  const { plotOptions } = await import("../src/admin/department.js");
  const { range } = plotOptions([], 800).scales.x;
  const nine = Date.UTC(2026, 11, 7, 3, 30) / 1000; // 9:00 in Pune
  assert.deepEqual(range(null, nine, nine), [nine - 86_400, nine + 86_400]);
  assert.deepEqual(range(null, nine, nine + 3_600), [nine + 1_800 - 86_400, nine + 1_800 + 86_400]);
  assert.deepEqual(range(null, nine, nine + 7 * 86_400), [nine, nine + 7 * 86_400]);
  assert.deepEqual(range(null, null, null), [null, null]);
});

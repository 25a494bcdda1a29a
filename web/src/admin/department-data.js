// The department view's data, from GET /reports/department's answer (admin-api.js,
// rollcall.core.department): the line plot's series in uPlot's shape, the counts table's
// rows and the heatmap's cells. Pure (no DOM), so node --test checks it.
import { STATUSES } from "../contracts.js";
import { fmt, t } from "../i18n/index.js";

/** The states in the order the view shows them. */
export const STATES = STATUSES.record;

/** What each state is called, its letter in a heatmap cell (so colour is not the only sign). */
export const STATE_WORDS = Object.freeze(Object.fromEntries(STATES.map((state) => [state, stateWords(state)])));

/** A cell for no status: the student was not in that session's audience (another division or batch). */
export const NOT_IN = stateWords("none");

/** {label, letter} of a state (or "none"), read from the catalogs when used. */
function stateWords(state) {
  return Object.freeze(
    Object.defineProperties(
      {},
      {
        label: { enumerable: true, get: () => t(`department.state.${state}`) },
        letter: { enumerable: true, get: () => t(`department.letter.${state}`) },
      },
    ),
  );
}

/**
 * The line plot: one series per course line (a course, and each of its divisions where
 * it has several), x the sessions' starts in seconds (every line's, sorted, once), y the
 * line's attendance % at its sessions and null elsewhere (uPlot joins across nulls with
 * spanGaps). -> {data: [xs, ...ys], series: [{label, course, division, points}]}: the
 * series in the order of data's ys, `points` the x -> point map (for the hover text).
 */
export function lineSeries(view) {
  const lines = [];
  for (const course of view?.courses ?? []) {
    for (const line of course.series ?? []) {
      const points = new Map();
      for (const point of line.points ?? []) points.set(seconds(point.starts_at), point);
      lines.push({ label: line.label, course: course.id, division: line.division ?? null, points });
    }
  }
  const xs = [...new Set(lines.flatMap((line) => [...line.points.keys()]))].sort((a, b) => a - b);
  const ys = lines.map((line) => xs.map((x) => line.points.get(x)?.percent ?? null));
  return { data: [xs, ...ys], series: lines };
}

/** An ISO time as whole seconds since the epoch (uPlot's time scale). */
export function seconds(iso) {
  return Math.round(Date.parse(iso) / 1000);
}

/** The counts table: the department first, then each course, with its share of each state. */
export function countRows(view) {
  const row = (key, label, figures, link = null) => {
    const total = STATES.reduce((sum, s) => sum + (figures?.[s] ?? 0), 0);
    return {
      key,
      label,
      link,
      total,
      percent: figures?.percent ?? null,
      cells: STATES.map((s) => ({ state: s, count: figures?.[s] ?? 0, share: total ? (figures[s] ?? 0) / total : 0 })),
    };
  };
  return [
    row("department", t("department.allCourses", { department: view?.department?.id ?? "" }), {
      ...view?.counts,
      percent: view?.percent,
    }),
    ...(view?.courses ?? []).map((c) =>
      row(c.id, `${c.code} ${c.name}`.trim(), c, `#/course/${encodeURIComponent(c.id)}`),
    ),
  ];
}

/**
 * The heatmap of one course: {columns: [{id, at, kind}], rows: [{uid, rollNo, name,
 * division, cells: [{state, letter, title}]}]}, rows by roll number as the server sends
 * them; a cell's title is its hover text: who, when, what.
 */
export function heatmapCells(grid, { formatDate = (d) => d.toISOString() } = {}) {
  const columns = (grid?.sessions ?? []).map((s) => ({ id: s.id, at: new Date(s.starts_at), kind: s.kind }));
  const rows = (grid?.students ?? []).map((student) => {
    const who = [student.roll_no, student.name].filter((x) => x !== null && x !== undefined && x !== "").join(" ");
    return {
      uid: student.uid,
      rollNo: student.roll_no ?? "",
      name: student.name ?? "",
      division: student.division ?? "",
      cells: columns.map((column, i) => {
        const state = student.statuses?.[i] ?? null;
        const words = state ? STATE_WORDS[state] : NOT_IN;
        return {
          state,
          letter: words.letter,
          title: t("department.cellTitle", {
            who: who || student.uid,
            when: formatDate(column.at),
            state: words.label,
          }),
        };
      }),
    };
  });
  return { columns, rows };
}

/** "83.3 %" or "–" (no counted session). */
export function percentText(value) {
  return value === null || value === undefined ? "–" : t("department.percent", { value: fmt.number(value) });
}

/** A point's hover value: "83.3 % (6 counted; P 4, L 1, E 0, A 1)". */
export function pointText(point) {
  if (!point) return "–";
  const counts = STATES.map((s) => `${STATE_WORDS[s].letter} ${fmt.number(point[s] ?? 0)}`).join(", ");
  return t("department.point", { percent: percentText(point.percent), counted: fmt.number(point.counted), counts });
}

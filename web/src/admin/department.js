// The department view (Admin > Department; heads of department and institution admins,
// decision 0026): for a department, or one division, up to a day (today unless chosen):
//   - attendance over the term: one line per course (and per division where a course has
//     several), x the sessions' dates, y the attendance % of each session as the course's
//     rules count it; drawn by uPlot (axes, legend, hover values), loaded with this page;
//   - the counts per state (present, late, excused, absent) of the department and of each
//     course, each course linking to its course view (#/course/<id>);
//   - a heatmap of one chosen course: students (by roll number) x sessions, a letter and a
//     colour per status, the student, date and status on hover; it scrolls.
// Data: GET /reports/department (admin-api.js), shaped by department-data.js.
import { departmentErrorText, fetchDepartmentView } from "../admin-api.js";
import { fmtDay, fmtTime } from "../dom.js";
import { fmt, t } from "../i18n/index.js";
import { kindLabel } from "../timetable.js";
import { html, useEffect, useRef, useState } from "../ui.js";
import { DepartmentFields, divisionsOf } from "./defaulters.js";
import {
  countRows,
  heatmapCells,
  lineSeries,
  NOT_IN,
  percentText,
  pointText,
  STATE_WORDS,
  STATES,
} from "./department-data.js";

/** Line colours, told apart by people with the common colour-vision deficiencies (Okabe–Ito). */
const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];

export function DepartmentPanel({ store, me, context }) {
  const departments = me.admin ? (store.departments.value ?? []).map((d) => d.id) : me.departments;
  const [department, setDepartment] = useState("");
  const [division, setDivision] = useState("");
  const [asOf, setAsOf] = useState("");
  const [course, setCourse] = useState("");
  const [view, setView] = useState(null); // {state: "loading"|"ok"|..., view}
  const [grid, setGrid] = useState(null);
  const chosen = department || departments[0] || "";
  const divisions = divisionsOf(store.courses.value, chosen);

  useEffect(() => {
    if (!chosen) return undefined;
    let live = true;
    setView({ state: "loading" });
    (async () => {
      const result = await fetchDepartmentView({ ...(await context()), department: chosen, division, asOf });
      if (live) setView(result);
    })().catch((err) => live && setView({ state: "failed", code: "error", message: String(err.message ?? err) }));
    return () => {
      live = false;
    };
  }, [chosen, division, asOf, context]);

  const courses = view?.state === "ok" ? view.view.courses : [];
  const shownCourse = courses.some((c) => c.id === course) ? course : (courses[0]?.id ?? "");
  useEffect(() => {
    if (!shownCourse) {
      setGrid(null);
      return undefined;
    }
    let live = true;
    setGrid({ state: "loading" });
    (async () => {
      const which = { department: chosen, division, asOf, course: shownCourse };
      const result = await fetchDepartmentView({ ...(await context()), ...which });
      if (live) setGrid(result);
    })().catch((err) => live && setGrid({ state: "failed", code: "error", message: String(err.message ?? err) }));
    return () => {
      live = false;
    };
  }, [shownCourse, chosen, division, asOf, context]);

  if (!departments.length) {
    return html`<section class="card" id="department-view"><p class="muted" id="department-empty">${t("defaulters.none")}</p></section>`;
  }
  return html`<section class="card department-view" id="department-view" aria-labelledby="department-title">
    <h2 id="department-title">${t("department.title")}</h2>
    <p>${t("department.intro")}</p>
    <div class="department-filters">
      <${DepartmentFields}
        ids=${["department-choice", "department-division"]}
        departments=${departments}
        chosen=${chosen}
        divisions=${divisions}
        division=${division}
        onDepartment=${(d) => {
          setDepartment(d);
          setDivision("");
          setCourse("");
        }}
        onDivision=${setDivision}
      />
      <div class="admin-field">
        <label for="department-as-of">${t("defaulters.upTo")}</label>
        <input id="department-as-of" type="date" value=${asOf} onInput=${(ev) => setAsOf(ev.currentTarget.value)} />
        <span class="muted small">${t("department.emptyIsToday")}</span>
      </div>
    </div>
    ${
      view?.state === "ok"
        ? html`<${Overview} view=${view.view} />
            <${Heatmap} courses=${courses} course=${shownCourse} setCourse=${setCourse} grid=${grid} />`
        : html`<p
            class=${view && view.state !== "loading" ? "form-error" : "muted"}
            role=${view && view.state !== "loading" ? "alert" : "status"}
            id="department-message"
            data-code=${view?.code ?? undefined}
          >
            ${!view || view.state === "loading" ? t("department.loading") : departmentErrorText(view)}
          </p>`
    }
  </section>`;
}

function Overview({ view }) {
  const rows = countRows(view);
  const upTo = fmtDay(new Date(`${view.as_of}T12:00:00`));
  const scope = { name: view.department.name, division: view.division, day: upTo };
  return html`<p class="muted small" id="department-scope">
      ${t(view.division ? "department.scopeDivision" : "department.scope", scope)}
      ${view.terms?.length ? html` ${t("department.terms", { terms: view.terms.join(", ") })}` : null}
    </p>
    <h3>${t("department.perSession")}</h3>
    <${LinePlot} view=${view} />
    <h3>${t("department.perStatus")}</h3>
    <div class="table-scroll" tabindex="0">
      <table class="data-table department-counts" id="department-counts">
        <thead>
          <tr>
            <th scope="col">${t("department.colCourse")}</th>
            <th scope="col" class="num">${t("department.colAttendance")}</th>
            ${STATES.map((s) => html`<th key=${s} scope="col" class="num">${STATE_WORDS[s].label}</th>`)}
            <th scope="col" class="col-share">${t("department.colShare")}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr key=${row.key} data-course=${row.key} class=${row.link ? "" : "department-total"}>
              <th scope="row" translate=${row.link ? false : undefined}>
                ${row.link ? html`<a href=${row.link} class="course-link">${row.label}</a>` : row.label}
              </th>
              <td class="num">${percentText(row.percent)}</td>
              ${row.cells.map((c) => html`<td key=${c.state} class="num" data-state=${c.state}>${fmt.number(c.count)}</td>`)}
              <td class="col-share">
                <span class="share-bar" role="img" aria-label=${fmt.list(row.cells.map((c) => t("department.stateCount", { state: STATE_WORDS[c.state].label, count: fmt.number(c.count) })))}>
                  ${row.cells.map((c) =>
                    c.share
                      ? html`<span key=${c.state} class=${`share status-${c.state}`} style=${`flex-grow: ${c.share}`}></span>`
                      : null,
                  )}
                </span>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

/** The line plot (uPlot, loaded on first use). */
function LinePlot({ view }) {
  const host = useRef(null);
  const [failed, setFailed] = useState(null);
  const { data, series } = lineSeries(view);
  const points = series.reduce((n, line) => n + line.points.size, 0);
  useEffect(() => {
    let plot = null;
    let live = true;
    const el = host.current;
    Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")])
      .then(([{ default: UPlot }]) => {
        if (!live || !el) return;
        plot = new UPlot(plotOptions(series, el.clientWidth || 640), data, el);
        // the lines' names in the legend are data (course codes and divisions)
        for (const name of el.querySelectorAll(".u-legend .u-series:not(:first-child) .u-label"))
          name.translate = false;
        el.dataset.ready = "true";
      })
      .catch((err) => live && setFailed(String(err.message ?? err)));
    const resize = () => plot?.setSize({ width: el.clientWidth || 640, height: 320 });
    window.addEventListener("resize", resize);
    return () => {
      live = false;
      window.removeEventListener("resize", resize);
      plot?.destroy();
    };
  }, [view]);
  if (!points) return html`<p class="muted" id="department-plot-empty">${t("department.plotEmpty")}</p>`;
  return html`<div
      class="department-plot"
      id="department-plot"
      ref=${host}
      data-points=${points}
      data-lines=${series.length}
      role="img"
      aria-label=${t("department.plotLabel", {
        lines: t("department.lines", { count: series.length }),
        points: t("department.points", { count: points }),
        names: series.map((s) => s.label).join(", "),
      })}
    ></div>
    ${failed ? html`<p class="form-error" role="alert">${t("department.plotFailed", { message: failed })}</p>` : null}`;
}

/**
 * The x range, in seconds: the sessions' own, but at least a day either side of them
 * when they all fall within one day (the first day of a term). Left to itself uPlot
 * widens a range of one instant to years, its points on the far left.
 */
export function dayRange(_u, min, max) {
  if (min == null || max == null || max - min >= DAY_SECONDS) return [min, max];
  const middle = (min + max) / 2;
  return [middle - DAY_SECONDS, middle + DAY_SECONDS];
}

const DAY_SECONDS = 86_400;
const DAY_STEPS = [1, 2, 7, 14, 28, 91, 182, 364].map((days) => days * DAY_SECONDS);

/** uPlot's options: a time x axis, y 0–100 %, a line per series (dashed for a division), hover values in the legend. */
export function plotOptions(series, width) {
  const courses = [...new Set(series.map((s) => s.course))];
  return {
    width,
    height: 320,
    scales: { x: { time: true, range: dayRange }, y: { range: [0, 100] } },
    axes: [
      {
        label: t("department.axisDate"),
        space: 100,
        incrs: DAY_STEPS, // the labels are days: a tick at most once a day
        values: (_u, ticks) => ticks.map((t) => fmtDay(new Date(t * 1000))),
      },
      {
        label: t("department.axisPercent"),
        values: (_u, ticks) => ticks.map((tick) => t("department.percent", { value: fmt.number(tick) })),
        size: 60,
      },
    ],
    cursor: { points: { size: 8 } },
    legend: { live: true },
    series: [
      {
        label: t("department.session"),
        value: (_u, t) => (t == null ? "–" : `${fmtDay(new Date(t * 1000))} ${fmtTime(new Date(t * 1000))}`),
      },
      ...series.map((line) => {
        const colour = COLOURS[courses.indexOf(line.course) % COLOURS.length];
        return {
          label: line.label,
          stroke: colour,
          width: line.division ? 1.5 : 2.5,
          dash: line.division ? [6, 4] : undefined,
          spanGaps: true,
          points: { show: true, size: line.division ? 5 : 7, fill: colour },
          value: (u, v, _si, i) => (v == null ? "–" : pointText(line.points.get(u.data[0][i]))),
        };
      }),
    ],
  };
}

const SHORT_KINDS = ["theory", "practical", "tutorial"];

/** A kind of session in a heatmap column's few letters ("Theo"): the catalog's, else the kind's label. */
function kindShort(kind) {
  return SHORT_KINDS.includes(kind) ? t(`department.kindShort.${kind}`) : kindLabel(kind);
}

function Heatmap({ courses, course, setCourse, grid }) {
  const formatDate = (d) => `${fmtDay(d)} ${fmtTime(d)}`;
  const cells = grid?.state === "ok" ? heatmapCells(grid.view.heatmap, { formatDate }) : null;
  return html`<h3 id="heatmap-title">${t("department.grid")}</h3>
    <div class="admin-field">
      <label for="heatmap-course">${t("department.course")}</label>
      <select id="heatmap-course" value=${course} onChange=${(ev) => setCourse(ev.currentTarget.value)}>
        ${courses.map((c) => html`<option key=${c.id} value=${c.id} translate=${false}>${c.code} ${c.name}</option>`)}
      </select>
      ${course ? html`<a class="small heatmap-course-link" id="heatmap-course-link" href=${`#/course/${encodeURIComponent(course)}`}>${t("department.openCourse")}</a>` : null}
    </div>
    <p class="heatmap-legend small" id="heatmap-legend">
      ${[...STATES.map((s) => [s, STATE_WORDS[s]]), ["none", NOT_IN]].map(
        ([state, words]) =>
          html`<span key=${state} class="legend-item"><span class=${`hm-cell status-${state}`} aria-hidden="true">${words.letter}</span> ${words.label}</span>`,
      )}
    </p>
    ${
      !cells
        ? html`<p class=${grid && grid.state !== "loading" ? "form-error" : "muted"} id="heatmap-message">
            ${!grid ? t("department.noCourse") : grid.state === "loading" ? t("department.loadingCourse") : departmentErrorText(grid)}
          </p>`
        : !cells.columns.length
          ? html`<p class="muted" id="heatmap-message">${t("department.noneHeld")}</p>`
          : html`<div class="heatmap-scroll" id="heatmap" tabindex="0" data-rows=${cells.rows.length} data-columns=${cells.columns.length}>
              <table class="heatmap" aria-labelledby="heatmap-title">
                <thead>
                  <tr>
                    <th scope="col" class="hm-roll">${t("department.rollNo")}</th>
                    <th scope="col" class="hm-name">${t("department.student")}</th>
                    ${cells.columns.map(
                      (
                        c,
                      ) => html`<th key=${c.id} scope="col" class="hm-date" title=${t("department.columnTitle", { when: formatDate(c.at), kind: kindLabel(c.kind) })}>
                        ${fmtDay(c.at)}<br /><span class="muted">${kindShort(c.kind)}</span>
                      </th>`,
                    )}
                  </tr>
                </thead>
                <tbody>
                  ${cells.rows.map(
                    (row) => html`<tr key=${row.uid}>
                      <td class="hm-roll">${row.rollNo}</td>
                      <th scope="row" class="hm-name" translate=${false}>${row.name}</th>
                      ${row.cells.map(
                        (
                          cell,
                          i,
                        ) => html`<td key=${i} class=${`hm-cell status-${cell.state ?? "none"}`} title=${cell.title} aria-label=${cell.title}>
                          ${cell.letter}
                        </td>`,
                      )}
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
    }`;
}

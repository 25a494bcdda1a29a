// An import's report on screen: the headline and the counts, every error and warning
// with its line, column and reason, and the rows added, changed (before -> after) and
// removed, each list a page at a time (report.js), so a 5,000-row preview stays quick.
// Columns blank in every row of a list are left out.
import { importIssueText } from "../admin-api.js";
import { fmt, t } from "../i18n/index.js";
import { html, memo, useMemo, useState } from "../ui.js";
import {
  COLUMNS,
  changeLists,
  changeRows,
  countLabels,
  headline,
  issueRows,
  PAGE_SIZE,
  pageLabel,
  pageOf,
  pairMoves,
  usedFields,
} from "./report.js";

const SIZES = [PAGE_SIZE, 200, 1000];

/**
 * `actions`: what may be done with it (the Apply button), shown under the counts;
 * `showHeadline`: false when the page says the outcome itself.
 */
export function ReportView({ report: sent, kind, prefix, actions = null, showHeadline = true }) {
  const report = useMemo(() => pairMoves(sent), [sent]);
  const errors = useMemo(() => issueRows(report.errors), [report]);
  const warnings = useMemo(() => issueRows(report.warnings), [report]);
  return html`<div
    class="report"
    id=${`${prefix}-report`}
    data-ok=${String(!!report.ok)}
    data-applied=${String(!!report.applied)}
  >
    ${
      showHeadline
        ? html`<p class=${report.ok ? "report-headline" : "report-headline is-error"} id=${`${prefix}-headline`}>
            ${headline(report)}
          </p>`
        : null
    }
    ${errors.length ? null : html`<${Counts} counts=${report.counts ?? {}} kind=${kind} prefix=${prefix} />`} ${actions}
    ${
      errors.length
        ? html`<${IssueTable}
            id=${`${prefix}-errors`}
            title=${t("importReport.errors", { n: fmt.number(errors.length) })}
            note=${t("importReport.errorsNote")}
            rows=${errors}
            kind="error"
          />`
        : null
    }
    ${
      warnings.length
        ? html`<${IssueTable}
            id=${`${prefix}-warnings`}
            title=${t("importReport.warnings", { n: fmt.number(warnings.length) })}
            note=${t("importReport.warningsNote")}
            rows=${warnings}
            kind="warning"
          />`
        : null
    }
    ${changeLists(kind).map(([list, title]) =>
      (report[list] ?? []).length
        ? html`<${ChangeTable}
            key=${list}
            id=${`${prefix}-${list}`}
            list=${list}
            title=${title}
            report=${report}
            kind=${kind}
          />`
        : null,
    )}
  </div>`;
}

/** The rows of the file by what would become of them (a file with errors has only errors). */
function Counts({ counts, kind, prefix }) {
  return html`<dl class="report-counts" aria-label=${t(kind === "timetable" ? "importReport.plannedSessions" : "importReport.fileRows")}>
    ${countLabels(kind).map(
      ([key, label]) => html`<div class=${`report-count count-${key}`} key=${key}>
        <dt>${label}</dt>
        <dd id=${`${prefix}-count-${key}`}>${fmt.number(counts[key] ?? 0)}</dd>
      </div>`,
    )}
  </dl>`;
}

function IssueTable({ id, title, note, rows, kind }) {
  const [paging, setPaging] = useState({ page: 0, size: PAGE_SIZE });
  const shown = pageOf(rows, paging.page, paging.size);
  // file-wide notes (an account not there yet) have no line or column: no such columns then
  const where = rows.some((r) => r.line !== null || r.column);
  return html`<section class=${`report-section issues issues-${kind}`} aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${title}</h3>
    <p class="muted small">${note}</p>
    <div class="table-scroll" tabindex="0">
      <table class="data-table issue-table" id=${id}>
        <thead>
          <tr>
            ${where ? html`<th scope="col" class="num">${t("importReport.line")}</th><th scope="col">${t("importReport.column")}</th>` : null}
            <th scope="col">${t(kind === "error" ? "importReport.problem" : "importReport.note")}</th>
          </tr>
        </thead>
        <tbody>
          ${shown.rows.map(
            (r) => html`<tr
              key=${r.id}
              data-line=${r.line ?? ""}
              data-column=${r.column}
              data-code=${r.code}
              title=${r.text}
            >
              ${where ? html`<td class="num" translate=${false}>${r.line ?? "–"}</td><td translate=${false}>${r.column || "–"}</td>` : null}
              <th scope="row" class="issue">
                <span class="issue-kind">${importIssueText(r.code)}</span>
                <span class="issue-message" translate=${false}>${r.message}</span>
              </th>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <${Pager} id=${id} shown=${shown} paging=${paging} setPaging=${setPaging} />
  </section>`;
}

function ChangeTable({ id, list, title, report, kind }) {
  const rows = useMemo(() => changeRows(report, list, kind), [report, list, kind]);
  const used = useMemo(() => usedFields(rows), [rows]);
  const [paging, setPaging] = useState({ page: 0, size: PAGE_SIZE });
  const shown = pageOf(rows, paging.page, paging.size);
  const columns = (COLUMNS[kind] ?? COLUMNS.roster).filter(([field]) => used.has(field));
  return html`<section class="report-section changes" aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("importReport.listTitle", { title, n: fmt.number(rows.length) })}</h3>
    <div class="table-scroll" tabindex="0">
      <table class=${`data-table change-table change-${list}`} id=${id}>
        <thead>
          <tr>
            <th scope="col" class="num">${t("importReport.line")}</th>
            ${columns.map(([field, heading]) => html`<th scope="col" key=${field}>${heading}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${shown.rows.map((row) => html`<${ChangeRow} key=${row.key} row=${row} used=${used} />`)}
        </tbody>
      </table>
    </div>
    <${Pager} id=${id} shown=${shown} paging=${paging} setPaging=${setPaging} />
  </section>`;
}

const ChangeRow = memo(function ChangeRow({ row, used }) {
  return html`<tr data-key=${row.key} data-line=${row.line ?? ""} translate=${false}>
    <td class="num">${row.line ?? "–"}</td>
    ${row.cells
      .filter((cell) => used.has(cell.field))
      .map((cell) =>
        cell.changed
          ? html`<td key=${cell.field} class="changed" data-field=${cell.field}>
              <del><span class="visually-hidden" translate=${true}>${t("importReport.was")}</span>${cell.before || html`<span translate=${true}>${t("importReport.blank")}</span>`}</del>${" "}
              <span aria-hidden="true">→</span>${" "}
              <ins><span class="visually-hidden" translate=${true}>${t("importReport.now")}</span>${cell.text || html`<span translate=${true}>${t("importReport.blank")}</span>`}</ins>
            </td>`
          : html`<td key=${cell.field} data-field=${cell.field}>${cell.text}</td>`,
      )}
  </tr>`;
});

function Pager({ id, shown, paging, setPaging }) {
  if (shown.total <= SIZES[0]) return null;
  return html`<div class="pager" id=${`${id}-pager`}>
    <button
      class="btn btn-small"
      type="button"
      disabled=${shown.page === 0}
      onClick=${() => setPaging({ ...paging, page: shown.page - 1 })}
      aria-controls=${id}
    >
      ${t("importReport.previous")}
    </button>
    <span class="pager-label" role="status">${pageLabel(shown)}</span>
    <button
      class="btn btn-small"
      type="button"
      disabled=${shown.page >= shown.pages - 1}
      onClick=${() => setPaging({ ...paging, page: shown.page + 1 })}
      aria-controls=${id}
      data-next
    >
      ${t("importReport.next")}
    </button>
    <label class="pager-size">
      ${t("importReport.perPage")}
      <select
        value=${paging.size}
        onChange=${(ev) => setPaging({ page: 0, size: Number(ev.currentTarget.value) })}
        aria-controls=${id}
      >
        ${SIZES.map((n) => html`<option key=${n} value=${n}>${n}</option>`)}
      </select>
    </label>
  </div>`;
}

// The class list: every student in roll-number order with roll number, division, status,
// scan time and the staff's "Change" (override, for those the contracts' matrix lets:
// teachers and TAs), filterable (all / not yet / checked in) and searchable. Rows are
// keyed by uid and render only when their own values change: a snapshot that changes
// one record of a 500-student lecture touches one row.
import { fmtTime } from "../dom.js";
import { t } from "../i18n/index.js";
import { computed, html, memo, useMemo } from "../ui.js";
import { emailsOf, ROSTER_FILTERS, rosterNote, rosterRows, STATUS_LABEL } from "./model.js";

export function RosterPanel({ store, openOverride, canOverride = true }) {
  // derived once per change of its inputs, not on every render of the panel
  const roster = useMemo(
    () =>
      computed(() =>
        rosterRows({
          enrolled: store.enrolled.value,
          attendance: store.attendance.value,
          pendingOverrides: store.pendingOverrides.value,
          filter: store.filter.value,
          term: store.search.value,
          people: store.people.value,
          emails: emailsOf(store.rejections.value),
        }),
      ),
    [store],
  );
  const list = roster.value;
  const filter = store.filter.value;
  return html`<section class="roster" aria-labelledby="roster-title">
    <div class="roster-head">
      <h2 id="roster-title">${t("panel.rosterTitle")}</h2>
      <div class="chips" role="group" aria-label=${t("panel.show")}>
        ${Object.entries(ROSTER_FILTERS).map(
          ([key, label]) => html`<button
            key=${key}
            class="chip"
            type="button"
            aria-pressed=${String(key === filter)}
            data-filter=${key}
            onClick=${() => {
              store.filter.value = key;
            }}
          >
            ${label}
          </button>`,
        )}
      </div>
      <label class="visually-hidden" for="roster-search">${t("panel.find")}</label>
      <input
        id="roster-search"
        type="search"
        placeholder=${t("panel.find")}
        autocomplete="off"
        value=${store.search.value}
        onInput=${(ev) => {
          store.search.value = ev.currentTarget.value;
        }}
      />
    </div>
    <p class="muted small" id="roster-note">${store.rosterError.value ?? rosterNote(list)}</p>
    <div class="table-scroll" tabindex="0">
    <table class="roster-table data-table" id="roster">
      <thead>
        <tr>
          <th scope="col" class="roll-no">${t("panel.colRollNo")}</th>
          <th scope="col">${t("panel.colStudent")}</th>
          <th scope="col" class="division">${t("panel.colDivision")}</th>
          <th scope="col">${t("panel.colStatus")}</th>
          <th scope="col">${t("panel.colScanned")}</th>
          ${canOverride ? html`<th scope="col"><span class="visually-hidden">${t("panel.change")}</span></th>` : null}
        </tr>
      </thead>
      <tbody id="roster-body">
        ${list.rows.map(
          (row) => html`<${RosterRow} key=${row.uid} ...${row} openOverride=${canOverride ? openOverride : null} />`,
        )}
      </tbody>
    </table>
    </div>
  </section>`;
}

const RosterRow = memo(function RosterRow({
  uid,
  rollNo,
  division,
  name,
  email,
  note,
  status,
  source,
  reason,
  previousStatus,
  at,
  saving,
  openOverride,
}) {
  const overridden = source === "override";
  return html`<tr data-uid=${uid} data-status=${status} data-source=${source} data-roll=${rollNo}>
    <td class="roll-no" translate=${false}>${rollNo || "–"}</td>
    <th scope="row">
      <span class=${note ? "student-name unknown" : "student-name"} translate=${false}>${name}</span>
      ${email && email !== name ? html`<span class="student-email" translate=${false}>${email}</span>` : null}
      ${note ? html`<span class="student-note">${note}</span>` : null}
    </th>
    <td class="division" translate=${false}>${division || "–"}</td>
    <td>
      <span class=${`status status-${status}`}>${STATUS_LABEL[status]}</span>
      ${saving ? html`<span class="saving" role="status">${` ${t("panel.saving")}`}</span>` : null}
      ${
        overridden
          ? html`<span
              class="override-note"
              title=${previousStatus ? t("panel.was", { status: STATUS_LABEL[previousStatus] ?? previousStatus }) : t("panel.wasNone")}
              >${t("panel.changedBy")}<span translate=${false}>${reason}</span></span
            >`
          : null
      }
    </td>
    <td class="time">${at ? fmtTime(new Date(at)) : ""}</td>
    ${
      openOverride
        ? html`<td class="row-action">
            <button
              class="btn btn-small override-open"
              type="button"
              data-uid=${uid}
              aria-label=${t("panel.changeOf", { name })}
              onClick=${() => openOverride(uid, name)}
            >
              ${t("panel.change")}
            </button>
          </td>`
        : null
    }
  </tr>`;
});

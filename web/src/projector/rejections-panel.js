// The rejected scans, live: one line per student and reason (repeats add to its count),
// latest first, in the teacher's words; for "phone already used", whose phone it is.
import { fmtClock } from "../dom.js";
import { html, memo } from "../ui.js";
import { rejectionRows, shortDevice } from "./model.js";

export function RejectionsPanel({ store }) {
  const rows = rejectionRows({
    rejections: store.rejections.value,
    enrolled: store.enrolled.value,
    deviceOwners: store.deviceOwners.value,
  });
  const error = store.rejectionsError.value;
  let body;
  if (error) body = html`<tr class="empty"><td colspan="5">${error}</td></tr>`;
  else if (!rows.length) body = html`<tr class="empty"><td colspan="5">No rejected scans.</td></tr>`;
  else body = rows.map((row) => html`<${RejectionRow} key=${row.id} ...${row} />`);
  return html`<section class="rejections" aria-labelledby="rejections-title">
    <h2 id="rejections-title">
      ${"Rejected scans "}<span class=${rows.length ? "badge" : "badge is-zero"} id="rejections-count">${String(rows.length)}</span>
    </h2>
    <p class="muted small">Scans Rollcall refused, one line per student and reason; repeats add to the count.</p>
    <table class="data-table" id="rejections">
      <thead>
        <tr>
          <th scope="col">Student</th>
          <th scope="col">Reason</th>
          <th scope="col">Device</th>
          <th scope="col">Last</th>
          <th class="num" scope="col">Count</th>
        </tr>
      </thead>
      <tbody id="rejections-body">
        ${body}
      </tbody>
    </table>
  </section>`;
}

const RejectionRow = memo(function RejectionRow({
  uid,
  code,
  known,
  name,
  email,
  reason,
  message,
  device,
  lastMs,
  count,
}) {
  return html`<tr data-uid=${uid} data-code=${code}>
    ${
      known
        ? html`<th scope="row">
            <span class="student-name">${name}</span>
            ${email ? html`<span class="student-email">${email}</span>` : null}
          </th>`
        : html`<th scope="row">
            <span class="student-name unknown">Not on the class list</span>
            <span class="student-email" title="Firebase user id">${uid}</span>
          </th>`
    }
    <td title=${message}><span class=${`reason reason-${code}`}>${reason}</span></td>
    <td class="device" title=${device}>${shortDevice(device)}</td>
    <td class="time">${fmtClock(lastMs ? new Date(lastMs) : null)}</td>
    <td class="num">${String(count)}</td>
  </tr>`;
});

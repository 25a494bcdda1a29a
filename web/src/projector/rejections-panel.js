// The rejected scans, live: one line per student and reason (repeats add to its count),
// latest first, in the teacher's words; for "phone already used", whose phone it is;
// someone not on the class list by what is known of them (their roster row, or the email
// of their sign-in), never only an account id. And what to do: "Change" for a student on
// the class list (the override dialog: a student whose phone was refused can be marked
// present), "Copy email" for someone who is not (for the department office, which adds
// students to the class list).
import { fmtClock } from "../dom.js";
import { t } from "../i18n/index.js";
import { html, memo, useState } from "../ui.js";
import { rejectionRows, shortDevice } from "./model.js";

export function RejectionsPanel({ store, openOverride = null }) {
  const rows = rejectionRows({
    rejections: store.rejections.value,
    enrolled: store.enrolled.value,
    deviceOwners: store.deviceOwners.value,
    people: store.people.value,
  });
  const error = store.rejectionsError.value;
  let body;
  if (error) body = html`<tr class="empty"><td colspan="6">${error}</td></tr>`;
  else if (!rows.length) body = html`<tr class="empty"><td colspan="6">${t("panel.rejectionsNone")}</td></tr>`;
  else body = rows.map((row) => html`<${RejectionRow} key=${row.id} ...${row} openOverride=${openOverride} />`);
  return html`<section class="rejections" aria-labelledby="rejections-title">
    <h2 id="rejections-title">
      ${t("panel.rejectionsTitle")}<span class=${rows.length ? "badge" : "badge is-zero"} id="rejections-count">${String(rows.length)}</span>
    </h2>
    <p class="muted small">
      ${t("panel.rejectionsHint")}
    </p>
    <div class="table-scroll" tabindex="0">
      <table class="data-table" id="rejections">
        <thead>
          <tr>
            <th scope="col">${t("panel.colStudent")}</th>
            <th scope="col">${t("panel.colReason")}</th>
            <th scope="col">${t("panel.colDevice")}</th>
            <th scope="col">${t("panel.colLast")}</th>
            <th class="num" scope="col">${t("panel.colCount")}</th>
            <th scope="col"><span class="visually-hidden">${t("panel.colAction")}</span></th>
          </tr>
        </thead>
        <tbody id="rejections-body">
          ${body}
        </tbody>
      </table>
    </div>
  </section>`;
}

const RejectionRow = memo(function RejectionRow({
  uid,
  code,
  known,
  name,
  email,
  note,
  reason,
  message,
  device,
  lastMs,
  count,
  openOverride,
}) {
  return html`<tr data-uid=${uid} data-code=${code} data-known=${String(known)}>
    <th scope="row">
      <span class=${known ? "student-name" : "student-name unknown"} translate=${false}>${name}</span>
      ${email && email !== name ? html`<span class="student-email" translate=${false}>${email}</span>` : null}
      ${known ? null : html`<span class="student-note">${note}</span>`}
    </th>
    <td title=${message ? t(`errors.${code}.advice`) : undefined}><span class=${`reason reason-${code}`}>${reason}</span></td>
    <td class="device" title=${device} translate=${false}>${shortDevice(device)}</td>
    <td class="time">${fmtClock(lastMs ? new Date(lastMs) : null)}</td>
    <td class="num">${String(count)}</td>
    <td class="row-action">
      ${
        known && openOverride
          ? html`<button
              class="btn btn-small"
              type="button"
              aria-label=${t("panel.changeOf", { name })}
              onClick=${() => openOverride(uid, name)}
            >
              ${t("panel.change")}
            </button>`
          : !known && email
            ? html`<${CopyEmail} email=${email} name=${name} />`
            : null
      }
    </td>
  </tr>`;
});

/** "Copy email": for the department office, which puts students on the class list. */
function CopyEmail({ email, name }) {
  const [done, setDone] = useState(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(email);
      setDone(t("panel.copied"));
    } catch {
      setDone(email); // no clipboard (an insecure page): show it to be selected by hand
    }
  }
  return html`<button
      class="btn btn-small copy-email"
      type="button"
      aria-label=${t("panel.copyEmailOf", { name })}
      title=${t("panel.copyTitle")}
      onClick=${copy}
    >
      ${t("panel.copyEmail")}</button
    >${done ? html`<span class="muted small copy-done" role="status">${` ${done}`}</span>` : null}`;
}

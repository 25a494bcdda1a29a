// The students who tried to check in, were refused, and have not checked in since: while
// the session is open, so the teacher can act while they are still in the room.
// * TriedCounts, on the projector view (the room's screen): counts per reason in plain
//   words ("3 tried: code expired"), never a name (decision 0024).
// * TriedPanel, on the teacher's panel: each student by name with the reason and the
//   time of the last refusal, and "Change" (the override dialog).
// Both follow the rejected scans and the records live: a student who checks in leaves.
import { fmtClock } from "../dom.js";
import { t } from "../i18n/index.js";
import { html } from "../ui.js";
import { REJECTION_REASONS, stranger, triedCounts, triedRows } from "./model.js";

export function TriedCounts({ store }) {
  if (!store.session.value || store.stopped.value) return null;
  const counts = triedCounts(triedRows({ rejections: store.rejections.value, attendance: store.attendance.value }));
  if (!counts.length) return null;
  return html`<ul class="tried-counts plain" id="tried-counts" aria-label=${t("projector.triedLabel")}>
    ${counts.map((c) => html`<li key=${c.code} data-code=${c.code} data-count=${String(c.count)}>${c.text}</li>`)}
  </ul>`;
}

export function TriedPanel({ store, openOverride = null }) {
  const open = store.session.value && !store.stopped.value;
  const rows = open ? triedRows({ rejections: store.rejections.value, attendance: store.attendance.value }) : [];
  const enrolled = store.enrolled.value;
  const people = store.people.value;
  const nameOf = (uid) => enrolled.get(uid)?.name ?? enrolled.get(uid)?.email ?? stranger(uid, { people }).name;
  return html`<section class="tried" aria-labelledby="tried-title" id="tried">
    <h2 id="tried-title">
      ${t("panel.triedTitle")}<span class=${rows.length ? "badge" : "badge is-zero"} id="tried-count"
        >${String(rows.length)}</span
      >
    </h2>
    <p class="muted small">
      ${open ? t("panel.triedOpen") : t("panel.triedClosed")}
    </p>
    ${
      rows.length
        ? html`<ul class="plain tried-list" id="tried-list">
          ${rows.map(
            (r) => html`<li key=${r.uid} data-uid=${r.uid} data-code=${r.code}>
              <strong class="student-name" translate=${false}>${nameOf(r.uid)}</strong>
              <span class=${`reason reason-${r.code}`}>${REJECTION_REASONS[r.code] ?? r.code}</span>
              <span class="time muted small">${t("panel.lastAt", { time: fmtClock(r.lastMs ? new Date(r.lastMs) : null) })}</span>
              ${
                openOverride && enrolled.has(r.uid)
                  ? html`<button
                    class="btn btn-small"
                    type="button"
                    aria-label=${t("panel.changeOf", { name: nameOf(r.uid) })}
                    onClick=${() => openOverride(r.uid, nameOf(r.uid))}
                  >
                    ${t("panel.change")}
                  </button>`
                  : null
              }
            </li>`,
          )}
        </ul>`
        : null
    }
  </section>`;
}

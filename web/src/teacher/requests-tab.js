// A course's absence requests (the course view's "Requests" tab): live (requests where
// course_id == the course), open ones first, oldest first among them; each with the
// student, the kind, the days and the sessions it covers, the reason, the document
// (fetched through GET /requests/{id}/document with the ID token: the bucket is
// private), and for the course's teachers and TAs Approve / Decline with a comment.
// An approval excuses the sessions already held at once and the others when they close.
import { firebase } from "../config.js";
import { REQUESTS } from "../contracts.js";
import { fmtDay } from "../dom.js";
import { t } from "../i18n/index.js";
import {
  daysLabel,
  decideRequest,
  fetchDocument,
  KIND_LABELS,
  requestErrorText,
  STATUS_LABELS,
} from "../requests-api.js";
import { html, useEffect, useState } from "../ui.js";

/** Open first, then by filing time (oldest open first: it waits longest; newest decided first). */
export function orderRequests(list) {
  const time = (r) => r.filed_at?.toMillis?.() ?? 0;
  const open = list.filter((r) => r.status === "open").sort((a, b) => time(a) - time(b));
  const decided = list.filter((r) => r.status !== "open").sort((a, b) => time(b) - time(a));
  return [...open, ...decided];
}

/** The scan function's URL and the user's ID token, for one call. */
async function callContext(user) {
  const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
  return { scanUrl: config.scanUrl, idToken };
}

export function RequestsPanel({ courseId, user, fsx, mayDecide }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    const { fs, db } = fsx;
    const q = fs.query(fs.collection(db, "requests"), fs.where("course_id", "==", courseId));
    return fs.onSnapshot(
      q,
      (snap) => setList(orderRequests(snap.docs.map((d) => ({ id: d.id, ...d.data() })))),
      (err) => setError(err.code ?? err.message),
    );
  }, [fsx, courseId]);
  const open = list?.filter((r) => r.status === "open").length ?? 0;
  return html`<section class="card requests" id="course-requests" aria-labelledby="course-requests-title">
    <h2 id="course-requests-title">${t("staffRequests.title")}</h2>
    <p class="muted small" id="course-requests-count" role="status">
      ${list === null ? t("common.loading") : t("staffRequests.count", { open, decided: list.length - open })}
    </p>
    ${error ? html`<p class="form-error" role="alert">${t("staffRequests.cannotShow", { error })}</p>` : null}
    ${
      list?.length
        ? html`<ul class="plain request-list" id="course-request-list">
            ${list.map((r) => html`<${StaffRequest} key=${r.id} request=${r} user=${user} mayDecide=${mayDecide} />`)}
          </ul>`
        : list
          ? html`<p class="muted">${t("leave.none")}</p>`
          : null
    }
  </section>`;
}

/** "Medical, 6 Dec – 8 Dec · 3 sessions held, 1 still to come · filed Sun 6 Dec". */
function what(r, held, planned, filed) {
  const sessions = planned
    ? t("staffRequests.heldToCome", { count: held, planned })
    : t("staffRequests.held", { count: held });
  const when = filed ? ` · ${t("staffRequests.filed", { day: fmtDay(filed) })}` : "";
  return `${KIND_LABELS[r.kind] ?? r.kind}, ${daysLabel(r.from, r.to)} · ${sessions}${when}`;
}

function StaffRequest({ request: r, user, mayDecide }) {
  const [comment, setComment] = useState("");
  const [state, setState] = useState({ busy: false, text: "", error: false });
  async function decide(decision) {
    setState({ busy: true, text: t("staffRequests.saving"), error: false });
    const result = await decideRequest({
      ...(await callContext(user)),
      requestId: r.id,
      decision,
      comment: comment.trim(),
    });
    if (result.state === "decided") {
      const text =
        result.status === "approved"
          ? t("staffRequests.approved", { count: result.excused })
          : t("staffRequests.declined");
      setState({ busy: false, text, error: false });
    } else {
      setState({ busy: false, text: requestErrorText(result), error: true });
    }
  }
  async function openDocument() {
    setState({ busy: false, text: t("staffRequests.opening"), error: false });
    const result = await fetchDocument({ ...(await callContext(user)), requestId: r.id });
    if (result.state !== "ok") {
      setState({ busy: false, text: requestErrorText(result), error: true });
      return;
    }
    setState({ busy: false, text: "", error: false });
    window.open(URL.createObjectURL(result.blob), "_blank", "noopener");
  }
  const pill = r.status === "approved" ? "accepted" : r.status === "declined" ? "rejected" : "pending";
  const held = r.session_ids?.length ?? 0;
  const planned = r.planned_ids?.length ?? 0;
  const who = [r.roll_no, r.name].filter(Boolean).join(" · ") || r.uid;
  const filed = r.filed_at?.toDate?.();
  return html`<li class="request-item" data-status=${r.status} data-request=${r.id}>
    <div class="request-head">
      <strong translate=${false}>${who}</strong>
      <span class=${`pill pill-${pill}`}>${STATUS_LABELS[r.status] ?? r.status}</span>
    </div>
    <p class="small request-what">${what(r, held, planned, filed)}</p>
    <p class="request-reason" translate=${false}>${r.reason}</p>
    ${r.comment ? html`<p class="small request-comment">${t("staffRequests.comment")} <span translate=${false}>${r.comment}</span></p>` : null}
    <div class="request-actions">
      ${
        r.document
          ? html`<button class="btn btn-small" type="button" data-action="document" onClick=${openDocument}>
              ${t("leave.open")} <span translate=${false}>${r.document.filename}</span>
            </button>`
          : html`<span class="muted small">${t("staffRequests.noDocument")}</span>`
      }
      ${
        r.status === "open" && mayDecide
          ? html`<label class="visually-hidden" for=${`comment-${r.id}`}>${t("staffRequests.commentLabel")}</label>
              <input
                id=${`comment-${r.id}`}
                class="request-comment-input"
                type="text"
                maxlength=${REQUESTS.maxComment}
                placeholder=${t("staffRequests.commentPlaceholder")}
                value=${comment}
                onInput=${(e) => setComment(e.currentTarget.value)}
              />
              <button
                class="btn btn-primary btn-small"
                type="button"
                data-action="approve"
                disabled=${state.busy}
                onClick=${() => decide("approve")}
              >
                ${t("staffRequests.approve")}
              </button>
              <button
                class="btn btn-danger-quiet btn-small"
                type="button"
                data-action="decline"
                disabled=${state.busy}
                onClick=${() => decide("decline")}
              >
                ${t("staffRequests.decline")}
              </button>`
          : null
      }
    </div>
    <p class=${state.error ? "form-error" : "small"} role="status">${state.text}</p>
  </li>`;
}

// The student's absence requests: "Request leave" (leave or medical, a reason, the days,
// all my courses or one, and a document if there is one: a PDF, JPEG or PNG up to 5 MB)
// and the requests filed so far, live (requests where uid == me, newest first), each with
// its course, days, status and the teacher's comment. A range over several courses is
// one request per course, each decided by its own teachers.
import { firestore } from "../config.js";
import { REQUESTS } from "../contracts.js";
import {
  daysLabel,
  documentProblem,
  fetchDocument,
  fileRequest,
  KIND_LABELS,
  requestErrorText,
  STATUS_LABELS,
} from "../requests-api.js";
import { html, useEffect, useState } from "../ui.js";

/** Today in the browser's calendar, YYYY-MM-DD (the form's default). */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Follow the student's requests; returns the unsubscribe function. */
export function watchRequests({ fs, db }, uid, onChange, onError) {
  const q = fs.query(fs.collection(db, "requests"), fs.where("uid", "==", uid));
  return fs.onSnapshot(
    q,
    (snap) => {
      const list = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
      list.sort((a, b) => (b.filed_at?.toMillis?.() ?? 0) - (a.filed_at?.toMillis?.() ?? 0));
      onChange(list);
    },
    onError,
  );
}

export function RequestsView({ ctx, user, enrolled, courseNames }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let stop = null;
    let live = true;
    firestore().then(
      (fsx) => {
        if (live) stop = watchRequests(fsx, user.uid, setList, (err) => setError(err.code ?? err.message));
      },
      (err) => setError(String(err.message ?? err)),
    );
    return () => {
      live = false;
      stop?.();
    };
  }, [user.uid]);
  return html`<section class="card requests" id="requests" aria-labelledby="requests-title">
      <h2 id="requests-title">Request leave</h2>
      <p class="muted small">
        Ask to be excused for days you miss: your teachers see the request and decide. Add a medical
        certificate or a letter if you have one.
      </p>
      <${RequestForm} ctx=${ctx} user=${user} enrolled=${enrolled} courseNames=${courseNames} />
    </section>
    <section class="card requests" id="my-requests" aria-labelledby="my-requests-title">
      <h2 id="my-requests-title">My requests</h2>
      ${error ? html`<p class="form-error" role="alert">Your requests cannot be shown: ${error}</p>` : null}
      ${
        list === null
          ? html`<p class="muted">Loading…</p>`
          : list.length === 0
            ? html`<p class="muted" id="requests-empty">No requests yet.</p>`
            : html`<ul class="plain request-list" id="request-list">
                ${list.map(
                  (r) =>
                    html`<${RequestItem} key=${r.id} request=${r} ctx=${ctx} user=${user} courseNames=${courseNames} />`,
                )}
              </ul>`
      }
    </section>`;
}

function RequestForm({ ctx, user, enrolled, courseNames }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState({ text: "", error: false });
  async function submit(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const data = new FormData(form);
    const file = data.get("document");
    const picked = file && file.size > 0 ? file : null;
    const reason = String(data.get("reason") ?? "").trim();
    const from = String(data.get("from") ?? "");
    const to = String(data.get("to") ?? "") || from;
    const problem = !reason ? "Say why you were away." : !from ? "Choose the first day." : documentProblem(picked);
    if (problem) {
      setMessage({ text: problem, error: true });
      return;
    }
    setBusy(true);
    setMessage({ text: "Sending…", error: false });
    const result = await fileRequest({
      scanUrl: ctx.config.scanUrl,
      idToken: await user.getIdToken(),
      fields: { kind: data.get("kind"), reason, from, to, courseId: data.get("course") || null },
      file: picked,
    });
    setBusy(false);
    if (result.state === "filed") {
      const n = result.requests.length;
      setMessage({
        text: `Sent: ${n === 1 ? "one request" : `${n} requests, one per course`}. Your teachers decide; you will be told.`,
        error: false,
      });
      form.reset();
    } else {
      setMessage({ text: `Not sent: ${requestErrorText(result)}`, error: true });
    }
  }
  const day = today();
  return html`<form class="request-form" id="request-form" novalidate onSubmit=${submit}>
    <div class="request-grid">
      <label for="request-kind">Kind</label>
      <select id="request-kind" name="kind">
        ${REQUESTS.kinds.map((k) => html`<option value=${k}>${KIND_LABELS[k] ?? k}</option>`)}
      </select>
      <label for="request-course">Course</label>
      <select id="request-course" name="course">
        <option value="">All my courses</option>
        ${enrolled.map((id) => html`<option value=${id}>${courseNames.get(id) || id}</option>`)}
      </select>
      <label for="request-from">From</label>
      <input id="request-from" name="from" type="date" value=${day} required />
      <label for="request-to">To</label>
      <input id="request-to" name="to" type="date" value=${day} />
      <label for="request-reason">Reason</label>
      <textarea id="request-reason" name="reason" rows="3" maxlength=${REQUESTS.maxReason} required></textarea>
      <label for="request-document">Document</label>
      <input id="request-document" name="document" type="file" accept=${REQUESTS.documentTypes.join(",")} />
    </div>
    <p class="muted small">PDF, JPEG or PNG, up to 5 MB. Only you and your course's teachers can open it.</p>
    <p class=${message.error ? "form-error" : "small"} id="request-message" role="status">${message.text}</p>
    <button class="btn btn-primary" type="submit" id="request-submit" disabled=${busy}>Send request</button>
  </form>`;
}

/** One filed request: course, kind and days, status, the comment; its document. */
function RequestItem({ request: r, ctx, user, courseNames }) {
  const [opening, setOpening] = useState("");
  async function openDocument() {
    setOpening("Opening…");
    const result = await fetchDocument({
      scanUrl: ctx.config.scanUrl,
      idToken: await user.getIdToken(),
      requestId: r.id,
    });
    if (result.state !== "ok") {
      setOpening(requestErrorText(result));
      return;
    }
    setOpening("");
    window.open(URL.createObjectURL(result.blob), "_blank", "noopener");
  }
  const pill = r.status === "approved" ? "accepted" : r.status === "declined" ? "rejected" : "pending";
  const sessions = (r.session_ids?.length ?? 0) + (r.planned_ids?.length ?? 0);
  return html`<li class="request-item" data-status=${r.status} data-course=${r.course_id}>
    <div class="request-head">
      <strong>${courseNames.get(r.course_id) || r.course_id}</strong>
      <span class=${`pill pill-${pill}`}>${STATUS_LABELS[r.status] ?? r.status}</span>
    </div>
    <p class="small request-what">
      ${KIND_LABELS[r.kind] ?? r.kind}, ${daysLabel(r.from, r.to)} · ${sessions} session${sessions === 1 ? "" : "s"}
    </p>
    <p class="muted small">${r.reason}</p>
    ${r.comment ? html`<p class="small request-comment">Teacher's comment: ${r.comment}</p>` : null}
    ${
      r.document
        ? html`<button class="btn btn-small" type="button" onClick=${openDocument}>
            Open ${r.document.filename}
          </button> <span class="muted small" role="status">${opening}</span>`
        : null
    }
  </li>`;
}

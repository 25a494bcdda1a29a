// The student's absence requests: "Request leave" (leave or medical, a reason, the days
// for all my courses or one, or chosen sessions of one course (its closed sessions, from
// the student's own course figures), and a document if there is one: a PDF, JPEG or PNG
// up to 5 MB)
// and the requests filed so far, live (requests where uid == me, newest first), each with
// its course, days, status and the teacher's comment. A range over several courses is
// one request per course, each decided by its own teachers.
import { firestore } from "../config.js";
import { REQUESTS } from "../contracts.js";
import { fmtDay, fmtTime, toDate } from "../dom.js";
import { t } from "../i18n/index.js";
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
      <h1 id="requests-title">${t("leave.title")}</h1>
      <p class="muted small">
        ${t("leave.intro")}
      </p>
      <${RequestForm} ctx=${ctx} user=${user} enrolled=${enrolled} courseNames=${courseNames} />
    </section>
    <section class="card requests" id="my-requests" aria-labelledby="my-requests-title">
      <h2 id="my-requests-title">${t("leave.mine")}</h2>
      ${error ? html`<p class="form-error" role="alert">${t("leave.cannotShow", { error })}</p>` : null}
      ${
        list === null
          ? html`<p class="muted">${t("common.loading")}</p>`
          : list.length === 0
            ? html`<p class="muted" id="requests-empty">${t("leave.none")}</p>`
            : html`<ul class="plain request-list" id="request-list">
                ${list.map(
                  (r) =>
                    html`<${RequestItem} key=${r.id} request=${r} ctx=${ctx} user=${user} courseNames=${courseNames} />`,
                )}
              </ul>`
      }
    </section>`;
}

/**
 * The course's closed sessions the student may choose, newest first, from their own
 * figures (courses/{c}/students/{uid}.sessions: id -> {status, starts_at}).
 */
export function choosableSessions(figures) {
  return Object.entries(figures?.sessions ?? {})
    .map(([id, e]) => ({ id, status: e?.status ?? "", at: toDate(e?.starts_at) }))
    .filter((s) => s.at)
    .sort((a, b) => b.at - a.at || a.id.localeCompare(b.id));
}

/** The student's closed sessions of one course, read once when the course is chosen. */
function useSessions(user, courseId) {
  const [sessions, setSessions] = useState(null);
  useEffect(() => {
    if (!courseId) return;
    let live = true;
    setSessions(null);
    firestore()
      .then(({ fs, db }) => fs.getDoc(fs.doc(db, "courses", courseId, "students", user.uid)))
      .then(
        (snap) => live && setSessions(choosableSessions(snap.exists() ? snap.data() : null)),
        () => live && setSessions([]),
      );
    return () => {
      live = false;
    };
  }, [user.uid, courseId]);
  return courseId ? sessions : [];
}

function RequestForm({ ctx, user, enrolled, courseNames }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState({ text: "", error: false });
  const [mode, setMode] = useState("days"); // days | sessions
  const [course, setCourse] = useState("");
  const sessions = useSessions(user, mode === "sessions" ? course : "");
  async function submit(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const data = new FormData(form);
    const file = data.get("document");
    const picked = file && file.size > 0 ? file : null;
    const reason = String(data.get("reason") ?? "").trim();
    const from = String(data.get("from") ?? "");
    const to = String(data.get("to") ?? "") || from;
    const sessionIds = mode === "sessions" ? data.getAll("session_ids").map(String) : [];
    const problem = !reason
      ? t("leave.sayWhy")
      : mode === "sessions" && !course
        ? t("leave.chooseCourse")
        : mode === "sessions" && !sessionIds.length
          ? t("leave.tickSessions")
          : mode === "days" && !from
            ? t("leave.chooseDay")
            : documentProblem(picked);
    if (problem) {
      setMessage({ text: problem, error: true });
      return;
    }
    setBusy(true);
    setMessage({ text: t("common.sending"), error: false });
    const result = await fileRequest({
      scanUrl: ctx.config.scanUrl,
      idToken: await user.getIdToken(),
      fields: { kind: data.get("kind"), reason, from, to, courseId: course || null, sessionIds },
      file: picked,
    });
    setBusy(false);
    if (result.state === "filed") {
      const n = result.requests.length;
      setMessage({
        text: t("leave.sent", { count: n }),
        error: false,
      });
      form.reset();
      setCourse("");
      setMode("days");
    } else {
      setMessage({ text: t("leave.notSent", { error: requestErrorText(result) }), error: true });
    }
  }
  const day = today();
  return html`<form class="request-form" id="request-form" novalidate onSubmit=${submit}>
    <div class="request-grid">
      <label for="request-kind">${t("leave.kind")}</label>
      <select id="request-kind" name="kind">
        ${REQUESTS.kinds.map((k) => html`<option value=${k}>${KIND_LABELS[k] ?? k}</option>`)}
      </select>
      <span class="request-label" id="request-mode-label">${t("leave.for")}</span>
      <div class="chips" role="radiogroup" aria-labelledby="request-mode-label">
        <label class="request-mode"
          ><input type="radio" name="mode" id="request-mode-days" checked=${mode === "days"} onChange=${() => setMode("days")} />
          ${t("leave.days")}</label
        >
        <label class="request-mode"
          ><input
            type="radio"
            name="mode"
            id="request-mode-sessions"
            checked=${mode === "sessions"}
            onChange=${() => setMode("sessions")}
          />
          ${t("leave.sessionsMissed")}</label
        >
      </div>
      <label for="request-course">${t("leave.course")}</label>
      <select id="request-course" name="course" value=${course} onChange=${(e) => setCourse(e.currentTarget.value)}>
        <option value="">${mode === "sessions" ? t("leave.chooseACourse") : t("leave.allCourses")}</option>
        ${enrolled.map((id) => html`<option value=${id} translate=${false}>${courseNames.get(id) || id}</option>`)}
      </select>
      ${
        mode === "days"
          ? html`<label for="request-from">${t("leave.from")}</label>
              <input id="request-from" name="from" type="date" value=${day} required />
              <label for="request-to">${t("leave.to")}</label>
              <input id="request-to" name="to" type="date" value=${day} />`
          : html`<span class="request-label">${t("leave.sessions")}</span>
              <${SessionChoice} course=${course} sessions=${sessions} />`
      }
      <label for="request-reason">${t("leave.reason")}</label>
      <textarea id="request-reason" name="reason" rows="3" maxlength=${REQUESTS.maxReason} required></textarea>
      <label for="request-document">${t("leave.document")}</label>
      <input id="request-document" name="document" type="file" accept=${REQUESTS.documentTypes.join(",")} />
    </div>
    <p class="muted small">${t("leave.documentHelp")}</p>
    <p class=${message.error ? "form-error" : "small"} id="request-message" role="status">${message.text}</p>
    <button class="btn btn-primary" type="submit" id="request-submit" disabled=${busy}>${t("leave.send")}</button>
  </form>`;
}

/** Checkboxes of the course's closed sessions, newest first, each with its status. */
function SessionChoice({ course, sessions }) {
  if (!course) return html`<p class="muted small">${t("leave.courseFirst")}</p>`;
  if (sessions === null) return html`<p class="muted small">${t("leave.loadingSessions")}</p>`;
  if (!sessions.length) return html`<p class="muted small">${t("leave.noSessions")}</p>`;
  return html`<ul class="plain request-sessions" id="request-sessions">
    ${sessions.map(
      (s) => html`<li key=${s.id}>
        <label
          ><input type="checkbox" name="session_ids" value=${s.id} />
          ${fmtDay(s.at)}, ${fmtTime(s.at)} <span class="muted small">· ${t(`status.${s.status}`, { defaultValue: s.status })}</span></label
        >
      </li>`,
    )}
  </ul>`;
}

/** One filed request: course, kind and days, status, the comment; its document. */
function RequestItem({ request: r, ctx, user, courseNames }) {
  const [opening, setOpening] = useState("");
  async function openDocument() {
    setOpening(t("leave.opening"));
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
      <strong translate=${false}>${courseNames.get(r.course_id) || r.course_id}</strong>
      <span class=${`pill pill-${pill}`}>${STATUS_LABELS[r.status] ?? r.status}</span>
    </div>
    <p class="small request-what">
      ${t("leave.what", { kind: KIND_LABELS[r.kind] ?? r.kind, days: daysLabel(r.from, r.to), count: sessions })}
    </p>
    <p class="muted small request-reason" translate=${false}>${r.reason}</p>
    ${r.comment ? html`<p class="small request-comment">${t("leave.comment")} <span translate=${false}>${r.comment}</span></p>` : null}
    ${
      r.document
        ? html`<button class="btn btn-small" type="button" onClick=${openDocument}>
            ${t("leave.open")} <span translate=${false}>${r.document.filename}</span>
          </button> <span class="muted small" role="status">${opening}</span>`
        : null
    }
  </li>`;
}

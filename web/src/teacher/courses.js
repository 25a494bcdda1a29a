// My courses (#/), or one course (#/course/<id>) with its attendance and at-risk list
// under the card (course-view.js): each course with its open sessions, live, and
// "Open a session…".
import { nothingClaimed } from "../account-api.js";
import { ClaimNotice } from "../claim-notice.js";
import { showCourseView } from "../course-view.js";
import { fmtDay, fmtTime, toDate } from "../dom.js";
import { language, t } from "../i18n/index.js";
import { administers, may, rolesIn } from "../roles.js";
import { sessionKind, sessionTiming } from "../sessions.js";
import { kindLabel } from "../timetable.js";
import { html, Island, useEffect, useFocusOnArrival, useRef, useState } from "../ui.js";
import { OpenSessionForm } from "./open-session-form.js";
import { RequestsPanel } from "./requests-tab.js";

const ROLE_NAMES = { teacher: "roles.teacher", ta: "roles.ta" };

/**
 * fsx: {db, fs} (Firestore, loaded). only: one course id, or null for all of mine.
 * nested: under Today (teacher/today.js), which has the page's heading.
 * me: the claim (account.js), for what the person may do and what to say when they
 * have no course.
 */
export function CoursesView({ user, fsx, only, me = null, account = null, claim = () => {}, nested = false }) {
  const [courses, setCourses] = useState(null); // null while loading
  const [notice, setNotice] = useState(null);
  const [tab, setTab] = useState("attendance"); // one course: attendance | requests
  const heading = useRef(null);
  useFocusOnArrival(nested ? { current: null } : heading);
  useEffect(() => {
    if (!nested) document.title = t("courses.docTitle");
    const { db, fs } = fsx;
    setCourses(null);
    setNotice(null);
    if (only) {
      return fs.onSnapshot(
        fs.doc(db, "courses", only),
        (snap) => setCourses(snap.exists() ? [{ id: snap.id, ...snap.data() }] : []),
        () => setCourses([]),
      );
    }
    return fs.onSnapshot(
      fs.query(fs.collection(db, "courses"), fs.where("staff_uids", "array-contains", user.uid)),
      (snap) => {
        setNotice(null);
        setCourses(
          snap.docs
            .map((d) => ({ id: d.id, ...d.data() }))
            .sort((a, b) => String(a.name).localeCompare(String(b.name))),
        );
      },
      (err) => {
        setCourses([]);
        setNotice(
          err.code === "permission-denied"
            ? t("courses.notListed")
            : t("courses.cannotList", { error: err.code ?? err.message }),
        );
      },
    );
  }, [fsx, only, user]);

  let list;
  if (courses === null) list = html`<p class="muted">${t("courses.loading")}</p>`;
  else if (!courses.length && !notice) {
    list = only
      ? html`<p class="muted">${t("courses.noSuch", { id: only })}</p>`
      : html`<${NoCourses} me=${me} account=${account} claim=${claim} />`;
  } else {
    list = courses.map(
      (c) => html`<${CourseCard} key=${c.id} course=${c} user=${user} me=${me} fsx=${fsx} linkToView=${!only} />`,
    );
  }
  return html`<section class=${only ? "page page-wide" : "page"} aria-labelledby="courses-title">
    ${
      nested
        ? html`<h2 id="courses-title" class="page-title" tabindex="-1" ref=${heading}>${t("courses.title")}</h2>`
        : html`<h1 id="courses-title" tabindex="-1" ref=${heading}>${only ? t("courses.course") : t("courses.title")}</h1>`
    }
    <div id="courses-notice">${notice ? html`<p class="notice" role="status">${notice}</p>` : null}</div>
    <div class="course-list" id="courses" aria-busy=${courses === null ? "true" : undefined}>${list}</div>
    ${
      only
        ? html`<${CourseTabs} tab=${tab} setTab=${setTab} />
            <div hidden=${tab !== "attendance"}>
              <${Island} key=${`${only}/${language.value}`} id="course-view" mount=${(el) => showCourseView(el, { courseId: only, user, me })} />
            </div>
            ${
              tab === "requests"
                ? html`<${RequestsPanel}
                    courseId=${only}
                    user=${user}
                    fsx=${fsx}
                    mayDecide=${may("override", rolesIn({ uid: user.uid, course: courses?.[0] ?? null, me }))}
                  />`
                : null
            }`
        : null
    }
    <${OpenById} current=${only} />
  </section>`;
}

/** The one course's views: its attendance (course-view.js) and its absence requests. */
function CourseTabs({ tab, setTab }) {
  const item = (name, label) =>
    html`<button class="tab" type="button" id=${`course-tab-${name}`} aria-current=${String(tab === name)} onClick=${() => setTab(name)}>
      ${label}
    </button>`;
  return html`<nav class="tabs course-tabs" aria-label=${t("courses.course")}>
    ${item("attendance", t("courses.tabAttendance"))} ${item("requests", t("courses.tabRequests"))}
  </nav>`;
}

/** No course of mine: why, in the person's terms (from their claim). */
function NoCourses({ me, account, claim }) {
  if (me && account && nothingClaimed(me))
    return html`<${ClaimNotice} account=${account} claim=${claim} who="staff" />`;
  if (me?.enrolled?.length && !Object.keys(me.staff ?? {}).length) {
    const n = me.enrolled.length;
    return html`<p class="notice" id="courses-student" role="status">
      ${t("courses.studentOnly", { count: n })}${" "}${t("courses.scanBefore")}<a href="/scan.html"
        >${t("teacher.openScanPage")}</a
      >${t("courses.scanAfter")}
    </p>`;
  }
  if (administers(me)) {
    return html`<p class="muted" id="courses-admin">
      ${t("courses.adminNone")}${" "}<a href="#/admin">${t("courses.adminPage")}</a>${t("courses.adminAfter")}
    </p>`;
  }
  return html`<p class="muted" id="courses-none">
    ${t("courses.none")}
  </p>`;
}

function CourseCard({ course, user, me, fsx, linkToView }) {
  const [open, setOpen] = useState(false);
  const form = useRef(null);
  useEffect(() => {
    if (open) form.current?.querySelector("input")?.focus();
  }, [open]);
  const roles = rolesIn({ uid: user.uid, course, me });
  const canRun = may("run_sessions", roles);
  const role = course.roles?.[user.uid];
  const facts = [
    course.code && course.term_id
      ? html`<span translate=${false}>${course.code} · ${course.term_id}</span>`
      : t("courses.id", { id: course.id }),
    course.divisions?.length ? t("courses.divisions", { list: course.divisions.join(", ") }) : "",
    ROLE_NAMES[role]
      ? t(ROLE_NAMES[role])
      : roles.has("hod")
        ? t("roles.hod")
        : roles.has("admin")
          ? t("roles.admin")
          : "",
  ].filter(Boolean);
  return html`<article
    class="card course"
    data-course=${course.id}
    data-role=${role ?? undefined}
    aria-labelledby=${`course-${course.id}`}
  >
    <div class="course-head">
      <div>
        <h2 id=${`course-${course.id}`} translate=${false}>${course.name ?? course.id}</h2>
        <p class="muted small">${facts.map((fact, i) => html`${i ? " · " : ""}${fact}`)}</p>
      </div>
      <div class="course-actions">
        ${
          linkToView
            ? html`<a
                class="btn course-view-link"
                href=${`#/course/${encodeURIComponent(course.id)}`}
                data-course-view=${course.id}
                >${t("courses.attendanceLink")}</a
              >`
            : null
        }
        ${
          canRun
            ? html`<button
                class="btn open-session-toggle"
                type="button"
                aria-expanded=${String(open)}
                onClick=${() => setOpen(!open)}
              >
                ${t("courses.openSession")}
              </button>`
            : null
        }
      </div>
    </div>
    ${canRun ? html`<${OpenSessionForm} course=${course} user=${user} hidden=${!open} formRef=${form} />` : null}
    <${OpenSessions} course=${course} fsx=${fsx} />
  </article>`;
}

/** The course's open sessions, live. */
function OpenSessions({ course, fsx }) {
  const [state, setState] = useState({ sessions: null, error: null });
  useEffect(() => {
    const { db, fs } = fsx;
    // The rules let a teacher read the sessions of their own courses: constraining
    // course_id lets them prove that for the whole query.
    const q = fs.query(
      fs.collection(db, "sessions"),
      fs.where("course_id", "==", course.id),
      fs.where("status", "==", "open"),
    );
    return fs.onSnapshot(
      q,
      (snap) => setState({ sessions: snap.docs.map((d) => ({ id: d.id, ...d.data() })), error: null }),
      (err) => setState({ sessions: null, error: err.code ?? err.message }),
    );
  }, [fsx, course.id]);

  let content;
  if (state.error) content = html`<p class="form-error">${t("courses.sessionsError", { error: state.error })}</p>`;
  else if (!state.sessions) content = html`<p class="muted">${t("courses.loadingSessions")}</p>`;
  else if (!state.sessions.length) {
    content = html`<p class="muted">
      ${t("courses.noOpen")} <code translate=${false}>rollcall session open --course ${course.id}</code>
    </p>`;
  } else {
    const sessions = [...state.sessions].sort(
      (a, b) => (toDate(b.starts_at)?.getTime() ?? 0) - (toDate(a.starts_at)?.getTime() ?? 0),
    );
    content = html`<ul class="session-list">
      ${sessions.map((s) => {
        const start = toDate(s.starts_at);
        const end = toDate(s.ends_at);
        const { rotation, lateAfter } = sessionTiming(s);
        return html`<li key=${s.id}>
          <a class="btn btn-primary session-link" href=${`#/session/${encodeURIComponent(s.id)}`} data-session=${s.id}
            >${t("courses.showCode")}</a
          >
          <a class="btn panel-link" href=${`#/session/${encodeURIComponent(s.id)}/panel`} data-panel=${s.id}
            >${t("courses.panel")}</a
          >
          <span class="session-meta" data-kind=${sessionKind(s)}>
            ${t("courses.sessionMeta", {
              kind: kindLabel(sessionKind(s)),
              day: fmtDay(start),
              start: fmtTime(start),
              end: fmtTime(end),
              rotation,
              lateAfter,
            })}
          </span>
        </li>`;
      })}
    </ul>`;
  }
  return html`<div class="sessions">${content}</div>`;
}

function OpenById({ current }) {
  const input = useRef(null);
  return html`<form
    class="inline-form"
    onSubmit=${(ev) => {
      ev.preventDefault();
      const id = input.current.value.trim();
      if (id) location.hash = `#/course/${encodeURIComponent(id)}`;
    }}
  >
    <label for="course-id">${t("courses.openById")}</label>
    <input ref=${input} id="course-id" name="course" required defaultValue=${current ?? ""} autocomplete="off" />
    <button class="btn" type="submit">${t("courses.open")}</button>
  </form>`;
}

// Teacher dashboard: sign in, my courses and their open sessions (open a new one
// here), a course's attendance and at-risk list (#/course/<id>, course-view.js), and
// the projector view of a session (#/session/<id>). Hash routes, so Hosting needs no
// rewrites.
import { signInForm, signOutButton, watchUser } from "./auth-ui.js";
import { firebase, firestore } from "./config.js";
import { showCourseView } from "./course-view.js";
import { $, clear, fmtDay, fmtTime, h, toDate } from "./dom.js";
import { showSession } from "./projector.js";
import { DEFAULTS, LIMITS, newSessionId, sessionFields, sessionTiming, validateSessionForm } from "./sessions.js";

const app = $("#app");
const account = $("#account");
let user = null;
let auth = null;
let cleanup = () => {};

function route() {
  cleanup();
  cleanup = () => {};
  if (!user) {
    clear(account);
    document.title = "Sign in · Rollcall";
    document.body.dataset.view = "signin";
    clear(
      app,
      signInForm(auth, {
        title: "Teacher sign-in",
        intro: "Sign in to show your session's check-in code and follow arrivals live.",
      }),
      h("p.center.muted", {}, "Checking in as a student? ", h("a", { href: "/scan.html" }, "Open the scan page"), "."),
    );
    $("#signin-email")?.focus();
    return;
  }
  clear(account, h("span.who", {}, user.email ?? user.uid), signOutButton(auth));
  const hash = location.hash.replace(/^#\/?/, "");
  const [view, id] = hash.split("/").map(decodeURIComponent);
  let stop;
  if (view === "session" && id) {
    document.body.dataset.view = "session";
    stop = showSession(app, { sessionId: id, user });
  } else if (view === "course" && id) {
    document.body.dataset.view = "courses";
    stop = showCourses(app, { user, only: id });
  } else {
    document.body.dataset.view = "courses";
    stop = showCourses(app, { user });
  }
  cleanup = () => stop?.();
}

/** My courses (or one course, by id) with a live list of their open sessions. */
function showCourses(root, { user, only = null }) {
  document.title = "My courses · Rollcall";
  const list = h("div.course-list", { id: "courses", "aria-busy": "true" }, h("p.muted", {}, "Loading your courses…"));
  const notice = h("div", { id: "courses-notice" });
  // one course: its attendance figures and at-risk list under the card
  const standing = only ? h("div", { id: "course-view" }) : null;
  clear(
    root,
    h(
      only ? "section.page.page-wide" : "section.page",
      { "aria-labelledby": "courses-title" },
      h("h1", { id: "courses-title" }, only ? "Course" : "My courses"),
      notice,
      list,
      standing,
      openByIdForm(only),
    ),
  );
  const unsubs = [];
  if (standing) unsubs.push(showCourseView(standing, { courseId: only, user }));
  const sessionUnsubs = new Map();
  let stopped = false;

  (async () => {
    const { db, fs } = await firestore();
    if (stopped) return;
    const renderCourses = (courses) => {
      list.removeAttribute("aria-busy");
      for (const u of sessionUnsubs.values()) u();
      sessionUnsubs.clear();
      if (!courses.length) {
        clear(
          list,
          h(
            "p.muted",
            {},
            only
              ? `No course "${only}" that you teach.`
              : "You teach no courses yet. A course is created with `rollcall seed`.",
          ),
        );
        return;
      }
      clear(list, ...courses.map((c) => courseCard(c, { user, db, fs, linkToView: !only })));
      for (const c of courses) {
        const target = list.querySelector(`[data-course="${CSS.escape(c.id)}"] .sessions`);
        const q = fs.query(
          fs.collection(db, "sessions"),
          // The rules let a teacher read the sessions of their own courses: constraining
          // course_id lets them prove that for the whole query.
          fs.where("course_id", "==", c.id),
          fs.where("status", "==", "open"),
        );
        sessionUnsubs.set(
          c.id,
          fs.onSnapshot(
            q,
            (snap) =>
              renderSessions(
                target,
                c,
                snap.docs.map((d) => ({ id: d.id, ...d.data() })),
              ),
            (err) => clear(target, h("p.form-error", {}, `Cannot read the sessions: ${err.code ?? err.message}`)),
          ),
        );
      }
    };

    if (only) {
      unsubs.push(
        fs.onSnapshot(
          fs.doc(db, "courses", only),
          (snap) => renderCourses(snap.exists() ? [{ id: snap.id, ...snap.data() }] : []),
          () => renderCourses([]),
        ),
      );
    } else {
      unsubs.push(
        fs.onSnapshot(
          fs.query(fs.collection(db, "courses"), fs.where("teacher_uid", "==", user.uid)),
          (snap) => {
            clear(notice);
            renderCourses(
              snap.docs
                .map((d) => ({ id: d.id, ...d.data() }))
                .sort((a, b) => String(a.name).localeCompare(String(b.name))),
            );
          },
          (err) => {
            list.removeAttribute("aria-busy");
            clear(list);
            clear(
              notice,
              h(
                "p.notice",
                { role: "status" },
                err.code === "permission-denied"
                  ? "Your courses cannot be listed here (the security rules do not allow the query). Open a course by its id below."
                  : `Cannot list your courses: ${err.code ?? err.message}`,
              ),
            );
          },
        ),
      );
    }
  })().catch((err) => clear(notice, h("p.form-error", { role: "alert" }, String(err.message ?? err))));

  return () => {
    stopped = true;
    for (const u of unsubs) u();
    for (const u of sessionUnsubs.values()) u();
  };
}

function courseCard(course, ctx) {
  const form = openSessionForm(course, ctx);
  const toggle = h(
    "button.btn.open-session-toggle",
    {
      type: "button",
      "aria-expanded": "false",
      onclick() {
        form.hidden = !form.hidden;
        toggle.setAttribute("aria-expanded", String(!form.hidden));
        if (!form.hidden) form.querySelector("input")?.focus();
      },
    },
    "Open a session…",
  );
  return h(
    "article.card.course",
    { dataset: { course: course.id }, "aria-labelledby": `course-${course.id}` },
    h(
      "div.course-head",
      {},
      h(
        "div",
        {},
        h("h2", { id: `course-${course.id}` }, course.name ?? course.id),
        h("p.muted.small", {}, `Course id: ${course.id}`),
      ),
      h(
        "div.course-actions",
        {},
        ctx.linkToView
          ? h(
              "a.btn.course-view-link",
              { href: `#/course/${encodeURIComponent(course.id)}`, dataset: { courseView: course.id } },
              "Attendance & at-risk list",
            )
          : null,
        toggle,
      ),
    ),
    form,
    h("div.sessions", {}, h("p.muted", {}, "Loading sessions…")),
  );
}

/**
 * "Open session": rotation, late threshold, duration. Creates sessions/{id} with
 * exactly the fields the rules' validNewSession allows, then shows its projector view.
 */
function openSessionForm(course, { user, db, fs }) {
  const field = (name, label, unit, value, { min, max }) => {
    const input = h("input", {
      id: `${name}-${course.id}`,
      name,
      type: "number",
      inputmode: "numeric",
      min,
      max,
      step: 1,
      required: true,
      value,
    });
    return {
      input,
      el: h(
        "div.field",
        {},
        h("label", { for: input.id }, label),
        h("div.with-unit", {}, input, h("span.unit", {}, unit)),
      ),
    };
  };
  const rotation = field("rotation", "New code every", "s", DEFAULTS.rotation, LIMITS.rotation);
  const lateAfter = field("late", "Late after", "min", DEFAULTS.lateAfter, LIMITS.lateAfter);
  const duration = field("duration", "Duration", "min", DEFAULTS.duration, LIMITS.duration);
  const error = h("p.form-error", { role: "alert" });
  const submit = h(
    "button.btn.btn-primary",
    { type: "submit", dataset: { open: course.id } },
    "Open session and show the code",
  );
  return h(
    "form.open-session",
    {
      hidden: true,
      dataset: { course: course.id },
      novalidate: true,
      async onsubmit(ev) {
        ev.preventDefault();
        const { values, errors } = validateSessionForm({
          rotation: rotation.input.value,
          lateAfter: lateAfter.input.value,
          duration: duration.input.value,
        });
        const messages = Object.values(errors);
        if (messages.length) {
          error.textContent = messages.join(" ");
          return;
        }
        error.textContent = "";
        submit.disabled = true;
        submit.textContent = "Opening…";
        const id = newSessionId();
        try {
          await fs.setDoc(fs.doc(db, "sessions", id), {
            ...sessionFields({ courseId: course.id, teacherUid: user.uid, ...values }),
            opened_at: fs.serverTimestamp(),
          });
          location.hash = `#/session/${encodeURIComponent(id)}`;
        } catch (err) {
          error.textContent =
            err.code === "permission-denied"
              ? "Not allowed: only the course's teacher can open a session (check the values)."
              : `Could not open the session: ${err.code ?? err.message}`;
        } finally {
          submit.disabled = false;
          submit.textContent = "Open session and show the code";
        }
      },
    },
    h("div.fields", {}, rotation.el, lateAfter.el, duration.el),
    h(
      "p.muted.small",
      {},
      "Starts now. Students scanning after the late threshold are marked late; the session closes at the end of its duration (at most 12 h) or when you close it.",
    ),
    error,
    submit,
  );
}

function renderSessions(target, course, sessions) {
  if (!sessions.length) {
    clear(
      target,
      h(
        "p.muted",
        {},
        "No open session. Open one here, or with ",
        h("code", {}, `rollcall session open --course ${course.id}`),
        ".",
      ),
    );
    return;
  }
  sessions.sort((a, b) => (toDate(b.starts_at)?.getTime() ?? 0) - (toDate(a.starts_at)?.getTime() ?? 0));
  clear(
    target,
    h(
      "ul.session-list",
      {},
      sessions.map((s) => {
        const start = toDate(s.starts_at);
        const end = toDate(s.ends_at);
        const { rotation, lateAfter } = sessionTiming(s);
        return h(
          "li",
          {},
          h(
            "a.btn.btn-primary.session-link",
            { href: `#/session/${encodeURIComponent(s.id)}`, dataset: { session: s.id } },
            "Show check-in code",
          ),
          h(
            "span.session-meta",
            {},
            `${fmtDay(start)} ${fmtTime(start)}–${fmtTime(end)} · new code every ${rotation} s · late after ${lateAfter} min`,
          ),
        );
      }),
    ),
  );
}

function openByIdForm(current) {
  const input = h("input", {
    id: "course-id",
    name: "course",
    required: true,
    value: current ?? "",
    autocomplete: "off",
  });
  return h(
    "form.inline-form",
    {
      onsubmit(ev) {
        ev.preventDefault();
        const id = input.value.trim();
        if (id) location.hash = `#/course/${encodeURIComponent(id)}`;
      },
    },
    h("label", { for: "course-id" }, "Open a course by id"),
    input,
    h("button.btn", { type: "submit" }, "Open"),
  );
}

(async () => {
  try {
    ({ auth } = await firebase());
  } catch (err) {
    clear(app, h("p.form-error", { role: "alert" }, `Rollcall cannot start: ${err.message ?? err}`));
    return;
  }
  window.addEventListener("hashchange", route);
  watchUser(auth, (u) => {
    user = u;
    route();
  });
})();

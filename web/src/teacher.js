// Teacher dashboard: sign in, my courses and their open sessions (open a new one here),
// a course's attendance and at-risk list (#/course/<id>), and the projector view of a
// session (#/session/<id>). Hash routes, so Hosting needs no rewrites. One store for
// the page (who is signed in, the route, Firestore once loaded); the views are
// teacher/courses.js, teacher/open-session-form.js, course-view.js and projector/.
import { Account, SignInForm, watchUser } from "./auth-ui.js";
import { firebase, firestore } from "./config.js";
import { $ } from "./dom.js";
import { ProjectorView } from "./projector/index.js";
import { CoursesView } from "./teacher/courses.js";
import { effect, html, render, signal } from "./ui.js";

/** The route of a hash: {view: "session"|"course"|"courses", id}. */
export function parseRoute(hash) {
  const [view, id] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if ((view === "session" || view === "course") && id) return { view, id };
  return { view: "courses", id: null };
}

const store = {
  ctx: signal(null),
  startError: signal(null),
  user: signal(undefined), // undefined while unknown, null when signed out
  route: signal(parseRoute(location.hash)),
  fsx: signal(null), // {db, fs} once Firestore is loaded
};

function TeacherPage() {
  const ctx = store.ctx.value;
  const user = store.user.value;
  if (store.startError.value) {
    return html`<p class="form-error" role="alert">Rollcall cannot start: ${store.startError.value}</p>`;
  }
  if (!ctx || user === undefined) return html`<p class="muted loading">Loading…</p>`;
  if (!user) {
    return html`<${SignInForm}
        auth=${ctx.auth}
        title="Teacher sign-in"
        intro="Sign in to show your session's check-in code and follow arrivals live."
      />
      <p class="center muted">Checking in as a student? <a href="/scan.html">Open the scan page</a>.</p>`;
  }
  const route = store.route.value;
  if (route.view === "session")
    return html`<${ProjectorView} key=${`${user.uid}/${route.id}`} sessionId=${route.id} user=${user} />`;
  const fsx = store.fsx.value;
  if (!fsx) return html`<section class="page"><p class="muted">Loading your courses…</p></section>`;
  return html`<${CoursesView}
    key=${`${user.uid}/${route.id ?? ""}`}
    user=${user}
    fsx=${fsx}
    only=${route.view === "course" ? route.id : null}
  />`;
}

function AccountArea() {
  const ctx = store.ctx.value;
  return ctx ? html`<${Account} auth=${ctx.auth} user=${store.user.value} />` : null;
}

effect(() => {
  const user = store.user.value;
  const route = store.route.value;
  if (user === undefined) return;
  document.body.dataset.view = !user ? "signin" : route.view === "session" ? "session" : "courses";
  if (!user) document.title = "Sign in · Rollcall";
});

const app = $("#app");
const account = $("#account");
app.replaceChildren();
account.replaceChildren();
render(html`<${TeacherPage} />`, app);
render(html`<${AccountArea} />`, account);

(async () => {
  try {
    store.ctx.value = await firebase();
  } catch (err) {
    store.startError.value = String(err.message ?? err);
    return;
  }
  window.addEventListener("hashchange", () => {
    store.route.value = parseRoute(location.hash);
  });
  watchUser(store.ctx.value.auth, (user) => {
    store.user.value = user;
    if (user && !store.fsx.value) {
      firestore()
        .then((fsx) => {
          store.fsx.value = fsx;
        })
        .catch((err) => {
          store.startError.value = String(err.message ?? err);
        });
    }
  });
})();

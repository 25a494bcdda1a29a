// Teacher dashboard: sign in (or create an account, verify its email, reset a
// password), then Today (the planned sessions of my courses, to start, move or cancel;
// for those on a course's staff) above my courses and their open sessions (open a new
// one here), a course's
// attendance and at-risk list (#/course/<id>), the projector view of a session
// (#/session/<id>), and for institution admins and heads of department the admin page
// (#/admin/<section>). Hash routes, so Hosting needs no rewrites. One store for the
// page (who is signed in and what their email claimed, the route, Firestore once
// loaded); the views are teacher/today.js, teacher/courses.js,
// teacher/open-session-form.js, teacher/nav.js, course-view.js, projector/ and admin/.
import { accountController } from "./account.js";
import { Account, SignInForm, watchUser } from "./auth-ui.js";
import { ClaimNotice } from "./claim-notice.js";
import { firebase, firestore } from "./config.js";
import { $ } from "./dom.js";
import { t } from "./i18n/index.js";
import { forgetProfile, LanguagePicker, loadProfile } from "./profile.js";
import { ProjectorView, SessionPanel } from "./projector/index.js";
import { administers, teaches } from "./roles.js";
import { CoursesView } from "./teacher/courses.js";
import { TeacherNav } from "./teacher/nav.js";
import { TodayView } from "./teacher/today.js";
import { effect, html, render, signal } from "./ui.js";
import { VerifyEmail } from "./verify-email.js";

/**
 * The route of a hash: {view: "session"|"panel"|"course"|"admin"|"courses", id}: a
 * session's projector view (#/session/<id>) or its teacher's panel (#/session/<id>/panel).
 */
export function parseRoute(hash) {
  const [view, id, sub] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (view === "session" && id) return { view: sub === "panel" ? "panel" : "session", id };
  if (view === "course" && id) return { view, id };
  if (view === "admin") return { view, id: id || null };
  return { view: "courses", id: null };
}

const store = {
  ctx: signal(null),
  startError: signal(null),
  user: signal(undefined), // undefined while unknown, null when signed out
  /** What the signed-in email is and was given (account.js). */
  account: signal({ state: "signed-out" }),
  route: signal(parseRoute(location.hash)),
  fsx: signal(null), // {db, fs} once Firestore is loaded
  /** The admin page's view, loaded the first time it is opened (only admins need it). */
  adminView: signal(null),
};
let controller = null; // account.js, once the config is read

function TeacherPage() {
  const ctx = store.ctx.value;
  const user = store.user.value;
  if (store.startError.value) {
    return html`<p class="form-error" role="alert">${t("page.cannotStart", { error: store.startError.value })}</p>`;
  }
  if (!ctx || user === undefined) return html`<p class="muted loading">${t("common.loading")}</p>`;
  if (!user) {
    return html`<${SignInForm}
        auth=${ctx.auth}
        title=${t("teacher.signInTitle")}
        intro=${t("teacher.signInIntro")}
      />
      <p class="center muted">
        ${t("teacher.asStudent")} <a href="/scan.html">${t("teacher.openScanPage")}</a>${t("teacher.asStudentAfter")}
      </p>`;
  }
  const account = store.account.value;
  if (account.state === "unverified") {
    return html`<${VerifyEmail} key=${user.uid} auth=${ctx.auth} user=${user} recheck=${() => controller.recheck()} />`;
  }
  const me = account.me;
  if (!me && account.state !== "failed") {
    return html`<section class="page"><p class="muted" role="status">${t("teacher.checkingAccount")}</p></section>`;
  }
  const route = store.route.value;
  if (route.view === "session")
    return html`<${ProjectorView} key=${`${user.uid}/${route.id}`} sessionId=${route.id} />`;
  if (route.view === "panel")
    return html`<${SessionPanel} key=${`${user.uid}/${route.id}`} sessionId=${route.id} user=${user} me=${me} />`;
  const fsx = store.fsx.value;
  const claim = () => controller.claim();
  const notice = account.state === "failed" ? html`<${ClaimNotice} account=${account} claim=${claim} />` : null;
  const nav = administers(me) ? html`<${TeacherNav} route=${route} me=${me} />` : null;
  if (!fsx) return html`${nav}${notice}<section class="page"><p class="muted">${t("courses.loading")}</p></section>`;
  if (route.view === "admin") {
    const AdminView = store.adminView.value;
    if (!AdminView) {
      loadAdminView();
      return html`${nav}${notice}<section class="page"><p class="muted" role="status">${t("teacher.loadingAdmin")}</p></section>`;
    }
    return html`${nav}${notice}<${AdminView} key=${user.uid} user=${user} me=${me} fsx=${fsx} section=${route.id} />`;
  }
  // the landing page of those on a course's staff: today's sessions, then the courses
  const today = route.view === "courses" && teaches(me);
  return html`${nav}${notice}${today ? html`<${TodayView} key=${user.uid} user=${user} me=${me} fsx=${fsx} />` : null}<${CoursesView}
      key=${`${user.uid}/${route.id ?? ""}`}
      user=${user}
      fsx=${fsx}
      me=${me}
      account=${account}
      claim=${claim}
      only=${route.view === "course" ? route.id : null}
      nested=${today}
    />`;
}

let adminLoading = false;
function loadAdminView() {
  if (adminLoading) return;
  adminLoading = true;
  import("./admin/index.js")
    .then((m) => {
      store.adminView.value = m.AdminView;
    })
    .catch((err) => {
      adminLoading = false;
      store.startError.value = `the admin page could not be loaded (${err.message ?? err})`;
    });
}

function AccountArea() {
  const ctx = store.ctx.value;
  return html`<${LanguagePicker} />${ctx ? html`<${Account} auth=${ctx.auth} user=${store.user.value} />` : null}`;
}

effect(() => {
  const user = store.user.value;
  const route = store.route.value;
  if (user === undefined) return;
  const view = ["session", "panel", "admin"].includes(route.view) ? route.view : "courses";
  document.body.dataset.view = !user ? "signin" : store.account.value.state === "unverified" ? "verify" : view;
  document.body.dataset.account = store.account.value.state; // unverified, claiming, ready, failed
  if (!user) document.title = t("teacher.docSignIn");
  else if (store.account.value.state === "unverified") document.title = t("teacher.docVerify");
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
  controller = accountController(store.account, { scanUrl: store.ctx.value.config.scanUrl });
  window.addEventListener("hashchange", () => {
    store.route.value = parseRoute(location.hash);
  });
  watchUser(store.ctx.value.auth, (user) => {
    controller.setUser(user);
    store.user.value = user;
    if (user)
      loadProfile(user.uid); // the language stored on the profile
    else forgetProfile();
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

// Today (#/, above My courses): the planned sessions of my courses on a day (GET
// /today; today, the institution's, unless another day is chosen), by start: time,
// course, kind, division or batch, room, where each stands (timetable.js planPhase),
// and what I may do with it: Start (POST /sessions {planned_id}, then its projector
// view, as "Open a session…" does), show the code of one started, and for the course's
// teachers Move…, Cancel… and Add a session… (POST /planned/*, plan-dialog.js). The
// list is read again after every change, every minute (what may be started moves with
// the clock) and when the page becomes visible again.
import { firebase } from "../config.js";
import { t } from "../i18n/index.js";
import {
  addPlanned,
  cancelPlanned,
  fetchToday,
  movePlanned,
  plannedErrorText,
  todayErrorText,
} from "../planned-api.js";
import { may, rolesIn } from "../roles.js";
import { openErrorText, openSession } from "../teacher-api.js";
import { audienceLabel, dayLabel, kindLabel, planPhase, shiftDay, sortPlans, timeRange } from "../timetable.js";
import { html, useEffect, useFocusOnArrival, useRef, useState } from "../ui.js";
import { describe, PlanDialog } from "./plan-dialog.js";

const REFRESH_MS = 60_000;

/** fsx: {db, fs} (Firestore: the courses one may add to, their batches). me: the claim. */
export function TodayView({ user, me, fsx }) {
  const [day, setDay] = useState(null); // null: today, as the server says
  const [todayIso, setTodayIso] = useState(null); // the server's today, once read
  const [list, setList] = useState({ state: "loading" });
  const [rowState, setRowState] = useState({}); // planned_id -> {busy, error}
  const [dialog, setDialog] = useState(null); // {mode, plan?, day}
  const [status, setStatus] = useState("");
  const [courses, setCourses] = useState([]);
  const heading = useRef(null);
  const seq = useRef(0);
  useFocusOnArrival(heading);

  const context = async () => {
    const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
    return { scanUrl: config.scanUrl, idToken };
  };

  async function load(which = day) {
    const n = ++seq.current;
    let answer;
    try {
      answer = await fetchToday({ ...(await context()), date: which });
    } catch (err) {
      answer = { state: "failed", code: "unauthenticated", message: String(err.message ?? err) };
    }
    if (n !== seq.current) return; // a later read is on its way
    if (answer.state === "ok" && which === null) setTodayIso(answer.date);
    setList((before) =>
      answer.state === "ok"
        ? answer
        : { state: "failed", text: todayErrorText(answer), keep: before.state === "ok" ? before : before.keep },
    );
  }

  useEffect(() => {
    document.title = t("today.docTitle");
    load(day);
    const timer = setInterval(() => load(day), REFRESH_MS);
    const visible = () => document.visibilityState === "visible" && load(day);
    document.addEventListener("visibilitychange", visible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", visible);
    };
  }, [day, user]);

  // the courses I may plan sessions of (the add form's list; Move… and Cancel… on their rows)
  useEffect(() => {
    const { db, fs } = fsx;
    return fs.onSnapshot(
      fs.query(fs.collection(db, "courses"), fs.where("staff_uids", "array-contains", user.uid)),
      (snap) =>
        setCourses(
          snap.docs
            .map((d) => ({ id: d.id, ...d.data() }))
            .filter((c) => may("plan_sessions", rolesIn({ uid: user.uid, course: c, me })))
            .sort((a, b) => String(a.code ?? a.id).localeCompare(String(b.code ?? b.id), undefined, { numeric: true })),
        ),
      () => setCourses([]),
    );
  }, [fsx, user, me]);

  const batchesOf = async (courseId) => {
    const { db, fs } = fsx;
    const snap = await fs.getDocs(fs.collection(db, "courses", courseId, "enrollments"));
    const found = new Set(snap.docs.map((d) => d.data().batch).filter((b) => typeof b === "string" && b));
    return [...found].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  };

  const setRow = (id, next) => setRowState((s) => ({ ...s, [id]: next }));

  async function start(plan) {
    setRow(plan.planned_id, { busy: true, error: "" });
    let result;
    try {
      result = await openSession({ ...(await context()), plannedId: plan.planned_id });
    } catch (err) {
      result = { state: "failed", code: "network", message: String(err.message ?? err) };
    }
    if (result.state === "opened") {
      location.hash = `#/session/${encodeURIComponent(result.sessionId)}`;
      return;
    }
    setRow(plan.planned_id, { busy: false, error: openErrorText(result), label: describe(plan) });
    if (result.code === "not_now" || result.code === "cancelled") load();
  }

  async function send(mode, values) {
    const ctx = await context();
    const plannedId = dialog?.plan?.planned_id;
    const result =
      mode === "cancel"
        ? await cancelPlanned({ ...ctx, plannedId, reason: values.reason })
        : mode === "move"
          ? await movePlanned({ ...ctx, plannedId, ...values })
          : await addPlanned({ ...ctx, body: values });
    if (result.state === "saved") return result;
    const what = { cancel: "cancelled", move: "moved", add: "added" }[mode];
    return { ...result, text: plannedErrorText(result, what) };
  }

  function closed(result) {
    const mode = dialog?.mode;
    setDialog(null);
    if (!result) return;
    // the stored session lacks the course's code: the row's, or the course's
    const course = courses.find((c) => c.id === result.planned.course_id);
    const p = { course_code: dialog?.plan?.course_code ?? course?.code, ...result.planned };
    setRowState((s) => {
      const { [p.planned_id]: _, ...rest } = s;
      return rest;
    });
    const back = mode === "move" && dialog?.plan?.status === "cancelled";
    const done = back ? "backOn" : { cancel: "cancelled", move: "movedTo", add: "addedOn" }[mode];
    setStatus(t(`today.done.${done}`, { day: dayLabel(p.date), what: describe(p) }));
    load();
  }

  const shown = list.state === "ok" ? list.date : (list.keep?.date ?? day);
  const isToday = day === null;
  const plans = list.state === "ok" ? sortPlans(list.sessions) : (list.keep?.sessions ?? null);
  const nowMs = Date.now();
  // a Start refused for a session no longer on this day's list (moved elsewhere meanwhile): said above it
  const gone = plans
    ? Object.entries(rowState).filter(([id, r]) => r.error && !plans.some((p) => p.planned_id === id))
    : [];
  const go = (to) => {
    setStatus("");
    setRowState({});
    setDay(to);
  };
  let body;
  if (list.state === "loading") body = html`<p class="muted" role="status">${t("today.loading")}</p>`;
  else if (!plans?.length) {
    body =
      list.state === "failed"
        ? null
        : html`<div class="today-empty" id="today-empty">
            <p><strong>${isToday ? t("today.nothingToday") : t("today.nothingThatDay")}</strong></p>
            <p class="muted">${courses.length ? t("today.fromTimetableOrAdd") : t("today.fromTimetable")}</p>
          </div>`;
  } else {
    body = html`<ol class="plain today-list" id="today-list">
      ${plans.map(
        (plan) => html`<${PlanRow}
          key=${plan.planned_id}
          plan=${plan}
          phase=${planPhase(plan, nowMs, { today: isToday || shown === todayIso })}
          row=${rowState[plan.planned_id] ?? {}}
          canPlan=${courses.some((c) => c.id === plan.course_id)}
          start=${() => start(plan)}
          change=${(mode) => setDialog({ mode, plan, day: shown })}
        />`,
      )}
    </ol>`;
  }
  return html`<section class="page today" aria-labelledby="today-title" data-day=${shown ?? ""}>
    <div class="today-head">
      <div>
        <h1 id="today-title" tabindex="-1" ref=${heading}>${isToday ? t("today.title") : t("today.planned")}</h1>
        <p class="muted today-date" id="today-date">${shown ? dayLabel(shown) : " "}</p>
      </div>
      <div class="today-actions">
        ${
          courses.length
            ? html`<button
                class="btn btn-primary"
                type="button"
                id="today-add"
                onClick=${() => setDialog({ mode: "add", day: shown })}
              >
                ${t("today.add")}
              </button>`
            : null
        }
      </div>
    </div>
    <nav class="today-days" aria-label=${t("today.day")}>
      <button class="btn btn-small" type="button" id="today-prev" disabled=${!shown} onClick=${() => go(shiftDay(shown, -1))}>
        ← ${t("today.previous")}
      </button>
      <button class="btn btn-small" type="button" id="today-today" disabled=${isToday} onClick=${() => go(null)}>
        ${t("today.title")}
      </button>
      <button class="btn btn-small" type="button" id="today-next" disabled=${!shown} onClick=${() => go(shiftDay(shown, 1))}>
        ${t("today.next")} →
      </button>
    </nav>
    <p class="today-status" id="today-status" role="status">${status}</p>
    ${list.state === "failed" ? html`<p class="form-error" role="alert" id="today-error">${list.text}</p>` : null}
    ${
      gone.length
        ? html`<ul class="plain today-gone" id="today-gone">
            ${gone.map(
              ([id, r]) => html`<li key=${id} class="form-error" data-planned-error=${id}>
                <span role="alert">${r.label}: ${r.error}</span>
              </li>`,
            )}
          </ul>`
        : null
    }
    <div aria-busy=${list.state === "loading" ? "true" : undefined}>${body}</div>
    <${PlanDialog}
      target=${dialog}
      courses=${courses}
      batchesOf=${batchesOf}
      send=${send}
      onClose=${closed}
    />
  </section>`;
}

function PlanRow({ plan, phase, row, canPlan, start, change }) {
  const started = phase.key === "started";
  const session = plan.session_id ? encodeURIComponent(plan.session_id) : null;
  const label = `${plan.course_code ?? plan.course_id} ${kindLabel(plan.kind)} ${audienceLabel(plan.audience)} ${timeRange(plan)}`;
  return html`<li
    class=${`card today-item phase-${phase.key}`}
    data-planned=${plan.planned_id}
    data-course=${plan.course_id}
    data-kind=${plan.kind}
    data-phase=${phase.key}
    data-session=${plan.session_id ?? undefined}
  >
    <div class="today-time">
      <span class="today-range">${timeRange(plan)}</span>
      <span class=${`kind-tag kind-${plan.kind}`}>${kindLabel(plan.kind)}</span>
    </div>
    <div class="today-what">
      <h2 class="today-course">
        ${plan.course_code ? html`<span class="today-code" translate=${false}>${plan.course_code}</span> ` : null}<span
          translate=${false}
          >${plan.course_name ?? plan.course_id}</span
        >
      </h2>
      <p class="today-facts">
        <span class="today-audience">${audienceLabel(plan.audience)}</span>
        ${plan.room ? html` · <span class="today-room">${t("today.room", { room: plan.room })}</span>` : null}
        ${plan.source === "extra" ? html` · <span class="muted">${t("today.extra")}</span>` : null}
        ${plan.role === "ta" ? html` · <span class="muted">${t("today.asTa")}</span>` : null}
      </p>
      <p class=${`today-phase phase-text-${phase.key}`}>${phase.text}</p>
      ${row.error ? html`<p class="form-error" role="alert" data-planned-error=${plan.planned_id}>${row.error}</p>` : null}
    </div>
    <div class="today-buttons">
      ${
        phase.key === "startable"
          ? html`<button
              class="btn btn-primary today-start"
              type="button"
              disabled=${row.busy}
              aria-label=${t("today.startLabel", { what: label })}
              onClick=${start}
            >
              ${row.busy ? t("today.starting") : t("today.start")}
            </button>`
          : null
      }
      ${
        started && session
          ? html`<a class="btn btn-primary today-show-code" href=${`#/session/${session}`}>${t("courses.showCode")}</a>
              <a class="btn today-panel" href=${`#/session/${session}/panel`}>${t("courses.panel")}</a>`
          : null
      }
      ${
        canPlan && !started
          ? html`<button class="btn today-move" type="button" aria-label=${t(phase.key === "cancelled" ? "today.rescheduleLabel" : "today.moveLabel", { what: label })} onClick=${() => change("move")}>
                ${phase.key === "cancelled" ? t("today.reschedule") : t("today.move")}
              </button>
              ${
                phase.key === "cancelled"
                  ? null
                  : html`<button
                      class="btn btn-danger-quiet today-cancel"
                      type="button"
                      aria-label=${t("today.cancelLabel", { what: label })}
                      onClick=${() => change("cancel")}
                    >
                      ${t("today.cancel")}
                    </button>`
              }`
          : null
      }
    </div>
  </li>`;
}

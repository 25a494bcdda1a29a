// The teacher's live panel of one session (#/session/<id>/panel): for the teacher's own
// screen, a second window or a phone, never the projector. The session in a line, this
// computer's clock if it is off, the counts, who tried and is not checked in (by name,
// while the session is open: tried-panel.js), arrivals per minute, the rejected scans
// (who, why, and what to do about it) and the class list with "Change" (overrides); the
// close and the export. Its store is its own: the projector view, in another window,
// listens to nothing personal.
import { firebase } from "../config.js";
import { fmtDay, fmtTime, toDate } from "../dom.js";
import { t } from "../i18n/index.js";
import { permissions, rolesIn } from "../roles.js";
import { closeSession, submitOverride } from "../teacher-api.js";
import { html, useEffect, useFocusOnArrival, useMemo, useRef, useState } from "../ui.js";
import { startSession } from "./controller.js";
import { ArrivalsPanel, CountTiles } from "./counts-panel.js";
import { sessionFacts } from "./model.js";
import { OverrideDialog } from "./override-dialog.js";
import { RejectionsPanel } from "./rejections-panel.js";
import { RosterPanel } from "./roster-panel.js";
import { createProjectorStore } from "./store.js";
import { PanelToolbar, runClose } from "./toolbar.js";
import { TriedPanel } from "./tried-panel.js";

export function SessionPanel({ sessionId, user, me = null }) {
  const store = useMemo(() => createProjectorStore(sessionId), [sessionId]);
  const [overrideTarget, setOverrideTarget] = useState(null);

  // one function for the teacher's calls: the scan URL and a fresh ID token
  const context = useMemo(
    () => async () => {
      const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
      return { scanUrl: config.scanUrl, idToken };
    },
    [user],
  );

  useEffect(() => {
    document.title = t("panel.docTitle");
    document.body.dataset.screen = "panel";
    const stop = startSession(store, { people: true, rotate: false });
    return () => {
      stop();
      delete document.body.dataset.screen;
    };
  }, [store]);

  const actions = useMemo(
    () => ({
      openOverride(uid, name) {
        setOverrideTarget({
          uid,
          name: store.enrolled.value.get(uid)?.name ?? name ?? t("panel.thisStudent"),
          record: store.attendance.value.get(uid) ?? null,
        });
      },
      async sendOverride({ uid, status, reason }) {
        const result = await submitOverride({ ...(await context()), sessionId, uid, status, reason });
        if (result.state === "accepted") {
          store.pendingOverrides.value = new Map(store.pendingOverrides.value).set(uid, {
            overrideId: result.overrideId,
            status,
          });
        }
        return result;
      },
      closeSession: () => runClose(store, async () => closeSession({ ...(await context()), sessionId })),
    }),
    [store, context, sessionId],
  );

  const course = store.course.value;
  const allowed = course ? permissions(rolesIn({ uid: user.uid, course, me })) : {};
  const canOverride = !!allowed.override;
  return html`<${PanelToolbar}
      store=${store}
      context=${context}
      closeSession=${actions.closeSession}
      allowed=${allowed}
    />
    <${PanelHead} store=${store} />
    <section class="panel-counts" aria-label=${t("panel.counts")}>
      <${CountTiles} store=${store} />
    </section>
    <${TriedPanel} store=${store} openOverride=${canOverride ? actions.openOverride : null} />
    <div class="panel-grid">
      <${ArrivalsPanel} store=${store} />
      <${RejectionsPanel} store=${store} openOverride=${canOverride ? actions.openOverride : null} />
    </div>
    <${RosterPanel} store=${store} openOverride=${actions.openOverride} canOverride=${canOverride} />
    <${OverrideDialog}
      target=${overrideTarget}
      send=${actions.sendOverride}
      onClose=${() => setOverrideTarget(null)}
    />`;
}

/** The session in one line, and its state (on time until, late, closed…). */
function PanelHead({ store }) {
  const heading = useRef(null);
  useFocusOnArrival(heading);
  const session = store.session.value;
  const start = toDate(session?.starts_at);
  const facts = sessionFacts(session);
  const when = session ? `${fmtDay(start)} · ${fmtTime(start)}–${fmtTime(toDate(session.ends_at))}` : "";
  const phase = session ? (store.stopped.value ? "stopped" : "open") : undefined;
  return html`<header class="panel-head" id="panel-head" data-state=${phase}>
    <h1 id="course-name" tabindex="-1" ref=${heading} translate=${false}>${store.courseName.value ?? "…"}</h1>
    <p class="muted" id="session-when">${[facts, when].filter(Boolean).join(" · ")}</p>
    <p class=${store.failure.value ? "session-state is-error" : "session-state"} id="session-state" role="status">
      ${store.stateText.value}
    </p>
  </header>`;
}

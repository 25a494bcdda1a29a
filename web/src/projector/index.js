// The projector view of one session (#/session/<id>): its panels around one store.
//   code-panel.js        the full-screen part: course, time, QR code, typed code, counts
//   counts-panel.js      the count tiles and the arrivals chart
//   roster-panel.js      the class list (keyed rows), with the override dialog
//   rejections-panel.js  the rejected scans
//   toolbar.js           courses, course link, live dot, close, export, full screen
// Close, export and "Change" show to those the contracts' matrix lets (roles.js): a TA
// runs the session and overrides, but does not export.
//   store.js / listeners.js / rotation.js / model.js: state, Firestore, the code, wording
// The QR code and typed code are computed in the page (WebCrypto, qr-token.js); all
// data comes from onSnapshot; close, export and overrides go through teacher-api.js.
import { firebase, firestore } from "../config.js";
import { permissions, rolesIn } from "../roles.js";
import { closeSession, submitOverride } from "../teacher-api.js";
import { effect, html, useEffect, useMemo, useRef, useState } from "../ui.js";
import { ProjectorSection } from "./code-panel.js";
import { ArrivalsPanel } from "./counts-panel.js";
import { lookUpDeviceOwners, startListeners } from "./listeners.js";
import { settledOverrides } from "./model.js";
import { OverrideDialog } from "./override-dialog.js";
import { RejectionsPanel } from "./rejections-panel.js";
import { RosterPanel } from "./roster-panel.js";
import { startRotation } from "./rotation.js";
import { createProjectorStore } from "./store.js";
import { runClose, Toolbar } from "./toolbar.js";

/** The clock of the code panel: the countdown moves on four times a second. */
const TICK_MS = 250;

export function ProjectorView({ sessionId, user, me = null }) {
  const store = useMemo(() => createProjectorStore(sessionId), [sessionId]);
  const section = useRef(null);
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
    document.title = "Check-in · Rollcall";
    const stops = [];
    let stopped = false;
    const timer = setInterval(() => {
      store.now.value = Date.now();
    }, TICK_MS);
    stops.push(() => clearInterval(timer));
    stops.push(startRotation(store));
    stops.push(
      effect(() => {
        const name = store.courseName.value;
        if (name) document.title = `${name} · Check-in · Rollcall`;
      }),
    );
    // an override leaves "Saving…" once its record arrives
    stops.push(
      effect(() => {
        const pending = store.pendingOverrides.peek();
        const left = settledOverrides(pending, store.attendance.value);
        if (left !== pending) store.pendingOverrides.value = left;
      }),
    );
    firestore()
      .then((fsx) => {
        if (stopped) return;
        stops.push(startListeners(store, fsx));
        const asked = new Set();
        stops.push(
          effect(() => {
            store.rejections.value; // whose phone: looked up as "phone already used" rejections arrive
            lookUpDeviceOwners(store, fsx, asked);
          }),
        );
      })
      .catch((err) => {
        store.failure.value = String(err.message ?? err);
      });
    const onFullscreen = () => document.body.classList.toggle("is-fullscreen", !!document.fullscreenElement);
    document.addEventListener("fullscreenchange", onFullscreen);
    stops.push(() => {
      document.removeEventListener("fullscreenchange", onFullscreen);
      document.body.classList.remove("is-fullscreen");
    });
    return () => {
      stopped = true;
      for (const stop of stops) stop();
    };
  }, [store]);

  const actions = useMemo(
    () => ({
      openOverride(uid) {
        setOverrideTarget({
          uid,
          name: store.enrolled.value.get(uid)?.name ?? uid,
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
      fullscreen: () =>
        document.fullscreenElement ? document.exitFullscreen() : section.current?.requestFullscreen?.().catch(() => {}),
    }),
    [store, context, sessionId],
  );

  const course = store.course.value;
  const allowed = course ? permissions(rolesIn({ uid: user.uid, course, me })) : {};
  return html`<${Toolbar}
      store=${store}
      context=${context}
      closeSession=${actions.closeSession}
      fullscreen=${actions.fullscreen}
      allowed=${allowed}
    />
    <${ProjectorSection} store=${store} sectionRef=${section} />
    <${ArrivalsPanel} store=${store} />
    <${RejectionsPanel} store=${store} />
    <${RosterPanel} store=${store} openOverride=${actions.openOverride} canOverride=${!!allowed.override} />
    <${OverrideDialog}
      target=${overrideTarget}
      send=${actions.sendOverride}
      onClose=${() => setOverrideTarget(null)}
    />`;
}

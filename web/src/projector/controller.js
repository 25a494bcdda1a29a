// What runs behind a session's screens: the server's clock (server-clock.js, learnt from
// GET /time and again every few minutes), the ticker that moves the store's `now` on (the
// countdown and the "opens at"/"ended at" lines), the Firestore listeners and, on the
// projector view, the rotation of the code. Started by the view, stopped when it goes.

import { firebase, firestore } from "../config.js";
import { endpoint } from "../http.js";
import { createServerClock } from "../server-clock.js";
import { effect } from "../ui.js";
import { lookUpDeviceOwners, lookUpPeople, startListeners } from "./listeners.js";
import { settledOverrides } from "./model.js";
import { startRotation } from "./rotation.js";

/** The countdown moves on four times a second; the code itself has its own timer. */
const TICK_MS = 250;

/**
 * Start a session's screen on `store`: `people` (the teacher's panel: class list,
 * attendance, rejected scans), `rotate` (the projector view: the code). Returns stop().
 */
export function startSession(store, { people = false, rotate = false } = {}) {
  const stops = [];
  let stopped = false;
  let clock = null;
  const now = () => (clock ? clock.now() : Date.now());

  const timer = setInterval(() => {
    store.now.value = now();
  }, TICK_MS);
  stops.push(() => clearInterval(timer));

  firebase()
    .then(({ config }) => {
      if (stopped) return;
      clock = createServerClock({
        url: endpoint(config.scanUrl, "time"),
        onChange(state) {
          store.clock.value = state;
          store.now.value = now();
        },
      }).start();
      stops.push(() => clock.stop());
      if (rotate) stops.push(startRotation(store, { now }));
    })
    .catch((err) => {
      store.failure.value = String(err.message ?? err);
    });

  stops.push(
    effect(() => {
      const name = store.courseName.value;
      if (name) document.title = `${name} · ${people ? "Teacher's panel" : "Check-in"} · Rollcall`;
    }),
  );
  if (people) {
    // an override leaves "Saving…" once its record arrives
    stops.push(
      effect(() => {
        const pending = store.pendingOverrides.peek();
        const left = settledOverrides(pending, store.attendance.value);
        if (left !== pending) store.pendingOverrides.value = left;
      }),
    );
  }
  firestore()
    .then((fsx) => {
      if (stopped) return;
      stops.push(startListeners(store, fsx, { people }));
      if (!people) return;
      const owners = new Set();
      const asked = new Set();
      stops.push(
        effect(() => {
          store.rejections.value; // whose phone: looked up as "phone already used" rejections arrive
          lookUpDeviceOwners(store, fsx, owners);
        }),
      );
      stops.push(
        effect(() => {
          // who is someone not on the class list: looked up once per student
          store.attendance.value;
          store.rejections.value;
          store.enrolled.value;
          lookUpPeople(store, fsx, asked);
        }),
      );
    })
    .catch((err) => {
      store.failure.value = String(err.message ?? err);
    });

  return () => {
    stopped = true;
    for (const stop of stops) stop();
  };
}

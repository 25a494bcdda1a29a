// The projector view's Firestore listeners, feeding its store: the session document
// (then its course: name and class list), the tally shards, the attendance records and
// the rejected scans. Each applies only the documents that changed.
import { sumShards } from "../tally.js";
import { applyChanges } from "./store.js";

/** Start them; returns the function that stops them all. */
export function startListeners(store, { fs, db }) {
  const unsubs = [];
  const sessionRef = fs.doc(db, "sessions", store.sessionId);
  let course = null;

  unsubs.push(
    fs.onSnapshot(
      sessionRef,
      { includeMetadataChanges: true },
      (snap) => {
        if (!snap.exists()) {
          store.failure.value = "No such session.";
          return;
        }
        const fromCache = snap.metadata.fromCache;
        store.live.value = { ok: !fromCache, text: fromCache ? "Reconnecting…" : "Live" };
        const data = snap.data();
        store.session.value = data;
        if (course !== data.course_id) {
          course = data.course_id;
          unsubs.push(...watchCourse(store, { fs, db }, course));
        }
      },
      (err) => {
        store.failure.value =
          err.code === "permission-denied"
            ? "This session does not exist, or it is not one of your courses."
            : `Cannot read the session: ${err.code ?? err.message}`;
      },
    ),
  );
  unsubs.push(
    fs.onSnapshot(
      fs.collection(sessionRef, "tally"),
      (snap) => {
        store.tally.value = sumShards(snap.docs.map((d) => d.data()));
      },
      (err) => {
        store.live.value = { ok: false, text: `Counts unavailable (${err.code})` };
      },
    ),
  );
  unsubs.push(
    fs.onSnapshot(
      fs.collection(sessionRef, "attendance"),
      (snap) => applyChanges(store.attendance, snap.docChanges()),
      (err) => {
        store.rosterError.value = `Attendance unavailable (${err.code})`;
      },
    ),
  );
  unsubs.push(
    fs.onSnapshot(
      fs.collection(sessionRef, "rejections"),
      (snap) => applyChanges(store.rejections, snap.docChanges()),
      (err) => {
        store.rejectionsError.value = `Rejected scans unavailable (${err.code})`;
      },
    ),
  );
  return () => {
    for (const unsubscribe of unsubs) unsubscribe();
  };
}

function watchCourse(store, { fs, db }, courseId) {
  fs.getDoc(fs.doc(db, "courses", courseId))
    .then((snap) => {
      const course = snap.exists() ? snap.data() : {};
      store.courseName.value = course.name ?? courseId;
      store.course.value = { department_id: course.department_id ?? null, roles: course.roles ?? {} };
    })
    .catch(() => {
      store.courseName.value = courseId;
      store.course.value = { department_id: null, roles: {} };
    });
  return [
    fs.onSnapshot(
      fs.collection(db, "courses", courseId, "enrollments"),
      (snap) => applyChanges(store.enrolled, snap.docChanges(), (doc) => ({ uid: doc.id, ...doc.data() })),
      (err) => {
        store.rosterError.value = `Class list unavailable (${err.code})`;
      },
    ),
  ];
}

/** sessions/{sid}/devices/{key}: key = first 32 hex chars of sha256(device id). */
export async function deviceKey(deviceId) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(deviceId));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 32);
}

/**
 * Whom the devices of "phone already used" rejections are bound to in this session:
 * looked up once per device (the teacher may read the bindings), into deviceOwners.
 */
export function lookUpDeviceOwners(store, { fs, db }, asked = new Set()) {
  for (const r of store.rejections.value.values()) {
    const device = r.device_id;
    if (r.code !== "device_in_use" || !device || asked.has(device)) continue;
    asked.add(device);
    (async () => {
      const snap = await fs.getDoc(fs.doc(db, "sessions", store.sessionId, "devices", await deviceKey(device)));
      if (snap.exists() && snap.data().uid) {
        store.deviceOwners.value = new Map(store.deviceOwners.value).set(device, snap.data().uid);
      }
    })().catch(() => {});
  }
  return asked;
}

// A session's Firestore listeners, feeding its store: the session document (then its
// course's name and, on the teacher's panel, its class list, read once) and the tally
// shards; on the panel also the attendance records and the rejected scans. The
// projector view for the room (`people: false`) shows nothing personal: it reads the
// rejected scans and the records of those refused every few seconds (pollTried), to
// count who tried and has not checked in (tried-panel.js), never showing a name. Document
// changes are applied in batches (store.changeBatcher): a lecture's burst of snapshots
// becomes a few updates a second, each touching only the documents that changed.
import { coalesce } from "../dom.js";
import { t } from "../i18n/index.js";
import { sumShards } from "../tally.js";
import { changeBatcher } from "./store.js";

/** Start them; returns the function that stops them all. */
export function startListeners(store, { fs, db }, { people = true, batchMs = 150 } = {}) {
  const unsubs = [];
  const sessionRef = fs.doc(db, "sessions", store.sessionId);
  const changes = changeBatcher({ ms: batchMs });
  unsubs.push(() => changes.stop());
  let course = null;
  let shards = [];
  const applyTally = coalesce(() => {
    store.tally.value = sumShards(shards);
  }, batchMs);

  unsubs.push(
    fs.onSnapshot(
      sessionRef,
      { includeMetadataChanges: true },
      (snap) => {
        if (!snap.exists()) {
          store.failure.value = t("projector.noSession");
          return;
        }
        const fromCache = snap.metadata.fromCache;
        store.live.value = { ok: !fromCache, key: fromCache ? "projector.reconnecting" : "projector.live" };
        const data = snap.data();
        store.session.value = data;
        if (course !== data.course_id) {
          course = data.course_id;
          unsubs.push(...watchCourse(store, { fs, db }, course, people ? changes : null));
        }
      },
      (err) => {
        store.failure.value =
          err.code === "permission-denied"
            ? t("projector.notYours")
            : t("projector.cannotRead", { code: err.code ?? err.message });
      },
    ),
  );
  unsubs.push(
    fs.onSnapshot(
      fs.collection(sessionRef, "tally"),
      (snap) => {
        shards = snap.docs.map((d) => d.data());
        applyTally();
      },
      (err) => {
        store.live.value = { ok: false, key: "projector.countsUnavailable", params: { code: err.code } };
      },
    ),
  );
  if (!people) {
    unsubs.push(pollTried(store, { fs }, sessionRef));
    return () => {
      for (const unsubscribe of unsubs) unsubscribe();
    };
  }
  unsubs.push(
    fs.onSnapshot(
      fs.collection(sessionRef, "attendance"),
      (snap) => changes.add(store.attendance, snap.docChanges()),
      (err) => {
        store.rosterError.value = `Attendance unavailable (${err.code})`;
      },
    ),
  );
  unsubs.push(
    fs.onSnapshot(
      fs.collection(sessionRef, "rejections"),
      (snap) => changes.add(store.rejections, snap.docChanges()),
      (err) => {
        store.rejectionsError.value = `Rejected scans unavailable (${err.code})`;
      },
    ),
  );
  return () => {
    for (const unsubscribe of unsubs) unsubscribe();
  };
}

/** How often the projector reads who tried (ms). */
export const TRIED_POLL_MS = 5000;
/** How far back each read of the rejected scans reaches before the latest one seen: a
 * refusal is written up to 10 s after it happened (core/rejections.py holds repeats),
 * and the scan's time is the function's clock, not the order of writes. */
const TRIED_OVERLAP_MS = 60_000;
/** Firestore's most values in one `in` filter. */
const IN_LIMIT = 30;

/**
 * The projector's "tried" counts, into store.rejections and store.attendance: read every
 * TRIED_POLL_MS while the session is open, not listened to. A listener per refused
 * student, or on the rejected scans, makes the page's Firestore SDK go over every
 * listened document at each change the server reports; in a 500-student burst that cost
 * the room's screen over 100 ms of CPU at a time (decision 0028). Each read asks for the
 * rejected scans written lately (one document read when nothing changed) and the records
 * of the refused students not yet seen checked in, by id (`in`, 30 at a time). Returns
 * stop().
 */
function pollTried(store, { fs }, sessionRef, every = TRIED_POLL_MS) {
  let stopped = false;
  let timer = null;
  let latest = null; // ms: the latest last_at read
  const rejections = fs.collection(sessionRef, "rejections");
  const attendance = fs.collection(sessionRef, "attendance");
  const read = async () => {
    const since = latest === null ? null : new Date(latest - TRIED_OVERLAP_MS);
    const snap = await fs.getDocs(since ? fs.query(rejections, fs.where("last_at", ">=", since)) : rejections);
    if (stopped) return;
    if (!snap.empty) {
      const next = new Map(store.rejections.peek());
      for (const doc of snap.docs) {
        const data = doc.data();
        next.set(doc.id, data);
        const at = data.last_at?.toMillis?.() ?? null;
        if (at !== null && (latest === null || at > latest)) latest = at;
      }
      store.rejections.value = next;
    }
    const known = store.attendance.peek();
    const waiting = [...new Set([...store.rejections.peek().values()].map((r) => r.uid))].filter(
      (uid) => uid && !known.has(uid),
    );
    for (let i = 0; i < waiting.length; i += IN_LIMIT) {
      const found = await fs.getDocs(
        fs.query(attendance, fs.where(fs.documentId(), "in", waiting.slice(i, i + IN_LIMIT))),
      );
      if (stopped) return;
      if (found.empty) continue;
      const next = new Map(store.attendance.peek());
      for (const doc of found.docs) next.set(doc.id, doc.data());
      store.attendance.value = next;
    }
  };
  const loop = () => {
    timer = null;
    if (stopped) return;
    const next = () => {
      if (!stopped) timer = setTimeout(loop, every);
    };
    // not started yet, closed or ended: nothing is shown, nothing read
    if (store.session.peek() && store.stopped.peek()) return next();
    read()
      .catch(() => {}) // the counts are a help: without them the room still checks in
      .finally(next);
  };
  loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** The course's name and roles; on the panel its class list. */
function watchCourse(store, { fs, db }, courseId, changes) {
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
  if (!changes) return [];
  // The class list is read once, not listened to: at each change the server reports,
  // the Firestore SDK goes over every document of every listened query (a 500-student
  // class list listened to cost the panel seconds of a lecture's burst). Someone
  // enrolled meanwhile is looked up when their scan arrives (lookUpPeople).
  let stopped = false;
  fs.getDocs(fs.collection(db, "courses", courseId, "enrollments"))
    .then((snap) => {
      if (stopped) return;
      changes.add(
        store.enrolled,
        snap.docChanges(),
        (doc) => ({ uid: doc.id, ...doc.data() }),
        () => {
          store.enrolledLoaded.value = true;
        },
      );
    })
    .catch((err) => {
      if (!stopped) store.rosterError.value = `Class list unavailable (${err.code ?? err.message})`;
    });
  return [
    () => {
      stopped = true;
    },
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

/**
 * Who the students are that scanned (or were refused) and are not on the class list as
 * the panel read it: enrolled since (their enrollment, into the class list), else their
 * roster row (a student removed from the list keeps it, with status "removed"), else
 * the email the rejected scan recorded; looked up once per student, into people.
 */
export function lookUpPeople(store, { fs, db }, asked = new Set()) {
  const courseId = store.session.peek()?.course_id;
  if (!courseId || !store.enrolledLoaded.peek()) return asked;
  const enrolled = store.enrolled.peek();
  const uids = new Set(store.attendance.peek().keys());
  for (const r of store.rejections.peek().values()) if (r.uid) uids.add(r.uid);
  for (const uid of uids) {
    if (enrolled.has(uid) || asked.has(uid)) continue;
    asked.add(uid);
    const roster = fs.query(fs.collection(db, "courses", courseId, "roster"), fs.where("uid", "==", uid), fs.limit(1));
    fs.getDoc(fs.doc(db, "courses", courseId, "enrollments", uid))
      .then((enrollment) => {
        if (!enrollment.exists()) return fs.getDocs(roster);
        store.enrolled.value = new Map(store.enrolled.peek()).set(uid, { uid, ...enrollment.data() });
        return null;
      })
      .then((snap) => {
        if (!snap || snap.empty) return;
        const row = snap.docs[0].data();
        store.people.value = new Map(store.people.peek()).set(uid, {
          email: row.email ?? "",
          name: row.name ?? "",
          rollNo: row.roll_no == null ? "" : String(row.roll_no),
          removed: row.status === "removed",
        });
      })
      .catch(() => {}); // shown as what the rejected scan says, or as an unknown account
  }
  return asked;
}

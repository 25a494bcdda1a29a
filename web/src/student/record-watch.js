// Following the student's own attendance record (sessions/{s}/attendance/{uid}) around a
// scan, to say "Recorded at …". The record is created while it is watched, so:
// - it is followed as a query on its id, not with a document listener (watch.js says
//   why: on the emulator a document listener can drop the record for good);
// - for a scanned token, whose session is known before the scan goes out, the watch is
//   set up before the scan is sent and `ready` says when the server has answered it:
//   a listen target added while its document is being written can also miss it on
//   the emulator (seen when the page's Firestore connection was opening just then).
import { watchById } from "../watch.js";

/** Watch one record: onRecord(data) once it exists, onError(err). -> {ready, stop()}. */
export function watchRecord({ fs, db }, { sessionId, uid }, { onRecord, onError }) {
  let settle;
  const ready = new Promise((resolve) => {
    settle = resolve;
  });
  const stop = watchById(fs, fs.collection(db, "sessions", sessionId, "attendance"), uid, {
    includeMetadataChanges: true,
    onData(data, snap) {
      if (!snap.metadata.fromCache) settle(true);
      if (data) onRecord(data);
    },
    onError(err) {
      settle(false);
      onError(err);
    },
  });
  return {
    ready,
    stop() {
      stop();
      settle(false);
    },
  };
}

/** Resolves as `promise` does, or to `fallback` after `ms`, whichever comes first. */
export function within(promise, ms, fallback = false) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// Following the student's own attendance record (sessions/{s}/attendance/{uid}) after an
// accepted scan, to say "Recorded at …". The record is usually created while it is
// being watched: watch.js follows it in a way the Firestore emulator cannot make it miss.
import { watchById } from "../watch.js";

/** Watch one record: onRecord(data) once it exists, onError(err). Returns stop(). */
export function watchRecord({ fs, db }, { sessionId, uid }, { onRecord, onError }) {
  return watchById(fs, fs.collection(db, "sessions", sessionId, "attendance"), uid, {
    onData(data) {
      if (data) onRecord(data);
    },
    onError,
  });
}

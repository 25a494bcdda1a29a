// Following one document that may not exist yet (a student's attendance record after a
// scan, their course figures before the first close) as a query on its id, not with a
// document listener.
//
// Why: for a document listener (a "document target") the Firestore SDK records, at
// every consistent snapshot the backend announces while the document is absent, "no
// document as of that time", and later ignores any change older than that. The
// Firestore emulator announces such snapshots before it has delivered every earlier
// write (a write to another listener's documents on the same connection is enough):
// the record then arrives "outdated" and is dropped for good ("LocalStore Ignoring
// outdated watch update"), which made the scan-link browser test fail in 2 of 4 runs.
// A query target has no such "no document" entries, so the late change still lands;
// the rules allow it (a query constrained to the student's own id is a read of that
// one document).

/**
 * Watch collection/{id}: onData(data or null, snapshot) on each snapshot from the server
 * (fromCache false) and from the cache; onError(err). Returns the unsubscribe function.
 */
export function watchById(fs, collectionRef, id, { onData, onError = () => {}, includeMetadataChanges = false }) {
  return fs.onSnapshot(
    fs.query(collectionRef, fs.where(fs.documentId(), "==", id)),
    { includeMetadataChanges },
    (snap) => onData(snap.empty ? null : snap.docs[0].data(), snap),
    onError,
  );
}

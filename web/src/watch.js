// Following one document that may not exist yet (a student's attendance record after a
// scan, their course figures before the first close): as a query on its id, checked
// once by a read when the query is current.
//
// Why, both for the Firestore emulator, which does not keep two promises of the listen
// protocol:
// - It announces a consistent snapshot at time T before it has delivered every write
//   committed before T (a write to another listener's documents on the same
//   connection is enough). For a document listener (a "document target") the SDK
//   then records "no document as of T" and drops the document's creation, committed
//   earlier, as outdated ("LocalStore Ignoring outdated watch update"): the record
//   never shows, which made the scan-link browser test fail in 2 of 4 runs. A query
//   target has no such "no document" entries, so the late change still lands.
// - A write committed while a listen target is being set up can be in neither its
//   first answer nor its later changes. Hence the one read once the query is current:
//   a write committed before that is in the read; one committed after it reaches the
//   query. The read is a query of another shape (`in`), so that the SDK does not answer
//   it from the listener's own view, and still no document target.
// The rules allow both: a query constrained to the student's own id reads that one
// document.

/**
 * Watch collection/{id}: onData(data or null, snapshot) on its snapshots (data stays
 * non-null once the document was seen); onError(err). Returns the unsubscribe function.
 */
export function watchById(fs, collectionRef, id, { onData, onError = () => {}, includeMetadataChanges = false }) {
  let stopped = false;
  let delivered = false; // a snapshot was passed on
  let checked = false; // the read once current was made
  let last = null; // the document's data, once seen
  const emit = (data, snap) => {
    if (data) last = data;
    delivered = true;
    if (!stopped) onData(data ?? last, snap);
  };
  const unsubscribe = fs.onSnapshot(
    fs.query(collectionRef, fs.where(fs.documentId(), "==", id)),
    { includeMetadataChanges: true }, // to see when it is current, whatever the caller asked
    (snap) => {
      const data = snap.empty ? null : snap.docs[0].data();
      if (includeMetadataChanges || !delivered || snap.docChanges().length) emit(data, snap);
      if (checked || snap.metadata.fromCache) return;
      checked = true;
      if (data) return;
      fs.getDocs(fs.query(collectionRef, fs.where(fs.documentId(), "in", [id])))
        .then((once) => {
          if (!once.empty && !last) emit(once.docs[0].data(), once);
        })
        .catch(() => {}); // the listener still follows it
    },
    onError,
  );
  return () => {
    stopped = true;
    unsubscribe();
  };
}

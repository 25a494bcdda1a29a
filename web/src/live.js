// Live mirrors of Firestore collections for the course view: a Map (document id ->
// value) kept in step by a listener's document changes, so a 500-student class applies
// only what changed on each snapshot (the projector's store does the same with
// signals, projector/store.js applyChanges).

/**
 * Keep `map` in step with `ref` (a collection or a query). `value(doc)` is what is
 * stored (default: the data plus `uid` = the document id); `onChange()` runs after
 * each snapshot is applied. Returns the unsubscribe function.
 */
export function mirror(fs, ref, map, { value = (doc) => ({ uid: doc.id, ...doc.data() }), onChange, onError }) {
  return fs.onSnapshot(
    ref,
    (snap) => {
      for (const change of snap.docChanges()) {
        if (change.type === "removed") map.delete(change.doc.id);
        else map.set(change.doc.id, value(change.doc));
      }
      onChange();
    },
    onError,
  );
}

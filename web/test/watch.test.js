// Unit tests of watchById (web/src/watch.js) against a stand-in for the Firestore SDK:
// a query on the id (never a document listener), and one read, of another shape, once
// the query is current without the document.
import assert from "node:assert/strict";
import { test } from "node:test";

import { watchById } from "../src/watch.js";

function fakeFirestore({ readAnswer = null } = {}) {
  const calls = { listens: [], reads: [] };
  let listener = null;
  const fs = {
    documentId: () => "__name__",
    where: (field, op, value) => ({ field, op, value }),
    query: (ref, ...filters) => ({ ref, filters }),
    onSnapshot(query, options, next) {
      calls.listens.push({ query, options });
      listener = next;
      return () => {
        listener = null;
      };
    },
    async getDocs(query) {
      calls.reads.push(query);
      return snapshot(readAnswer, false);
    },
  };
  const push = (data, { fromCache = false, changed = true } = {}) => listener?.(snapshot(data, fromCache, changed));
  return { fs, calls, push };
}

function snapshot(data, fromCache, changed = true) {
  const docs = data ? [{ data: () => data }] : [];
  return { empty: !data, docs, metadata: { fromCache }, docChanges: () => (changed && data ? docs : []) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test("a query on the id, not a document listener", () => {
  const { fs, calls } = fakeFirestore();
  watchById(fs, "sessions/s1/attendance", "u1", { onData() {} });
  assert.deepEqual(calls.listens[0].query, {
    ref: "sessions/s1/attendance",
    filters: [{ field: "__name__", op: "==", value: "u1" }],
  });
  assert.equal(calls.listens[0].options.includeMetadataChanges, true);
});

test("current without the document: one read (an `in` query) finds a write the listener missed", async () => {
  const record = { status: "present" };
  const { fs, calls, push } = fakeFirestore({ readAnswer: record });
  const seen = [];
  watchById(fs, "sessions/s1/attendance", "u1", { onData: (data) => seen.push(data) });
  push(null, { fromCache: true }); // from the cache: not current yet, no read
  assert.equal(calls.reads.length, 0);
  push(null); // current, without it
  await flush();
  assert.deepEqual(calls.reads, [
    { ref: "sessions/s1/attendance", filters: [{ field: "__name__", op: "in", value: ["u1"] }] },
  ]);
  assert.deepEqual(seen, [null, record]);
  push(null, { changed: false }); // a later snapshot without news does not take it back
  push(null); // nor one that still lacks it
  assert.deepEqual(seen.at(-1), record);
  push(null);
  await flush();
  assert.equal(calls.reads.length, 1, "read once");
});

test("the listener delivers it: no read; later changes come through", async () => {
  const { fs, calls, push } = fakeFirestore();
  const seen = [];
  watchById(fs, "courses/c1/students", "u1", { onData: (data) => seen.push(data) });
  push({ percent: 50 });
  push({ percent: 75 });
  await flush();
  assert.equal(calls.reads.length, 0);
  assert.deepEqual(seen, [{ percent: 50 }, { percent: 75 }]);
});

test("nothing after unsubscribing, not even the read's answer", async () => {
  const { fs, push } = fakeFirestore({ readAnswer: { status: "late" } });
  const seen = [];
  const stop = watchById(fs, "sessions/s1/attendance", "u1", { onData: (data) => seen.push(data) });
  push(null);
  stop();
  await flush();
  assert.deepEqual(seen, [null]);
});

// Unit tests of the student's outbox (offline queue): storage, backoff, flush.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isTransient } from "../src/scan-api.js";
import { BASE_DELAY_MS, backoff, flush, HISTORY, MAX_DELAY_MS, ScanQueue, settle } from "../src/scan-queue.js";

function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
    map,
  };
}

function makeQueue(start = 1_000_000) {
  const clock = { t: start };
  const storage = memoryStorage();
  const queue = new ScanQueue({ storage, now: () => clock.t, random: () => 1 });
  return { queue, clock, storage };
}

const ACCEPTED = { state: "accepted", scanId: "s1", status: "present" };
const OFFLINE = { state: "failed", code: "network", message: "Failed to fetch", retry: true };
const BUSY = { state: "rejected", code: "unavailable", message: "try again", retry: true };
const EXPIRED = { state: "rejected", code: "qr_expired", message: "expired", retry: true };

test("backoff doubles from 2 s up to 60 s, with jitter in the upper half", () => {
  assert.equal(
    backoff(1, () => 1),
    BASE_DELAY_MS,
  );
  assert.equal(
    backoff(2, () => 1),
    2 * BASE_DELAY_MS,
  );
  assert.equal(
    backoff(3, () => 1),
    4 * BASE_DELAY_MS,
  );
  assert.equal(
    backoff(1, () => 0),
    BASE_DELAY_MS / 2,
  );
  assert.equal(
    backoff(30, () => 1),
    MAX_DELAY_MS,
  );
  assert.equal(
    backoff(30, () => 0),
    MAX_DELAY_MS / 2,
  );
});

test("a scan is kept (survives a reload) until the server decides", () => {
  const { queue, clock, storage } = makeQueue();
  const e = queue.add({ uid: "u1", kind: "code", value: "123456", deviceId: "d1" });
  assert.equal(e.taken_at, clock.t);
  // another page load reads the same storage
  const again = new ScanQueue({ storage, now: () => clock.t });
  assert.deepEqual(
    again.pending("u1").map((x) => x.value),
    ["123456"],
  );
  assert.deepEqual(again.pending("someone-else"), []);

  queue.retryLater(e.id, OFFLINE);
  const waiting = queue.get(e.id);
  assert.equal(waiting.attempts, 1);
  assert.equal(waiting.next_at, clock.t + BASE_DELAY_MS);
  assert.equal(waiting.last_code, "network");
  assert.deepEqual(queue.due("u1"), []);
  assert.equal(queue.due("u1", { force: true }).length, 1);
  clock.t += BASE_DELAY_MS;
  assert.equal(queue.due("u1").length, 1);

  const done = queue.resolve(e.id, ACCEPTED);
  assert.equal(done.state, "accepted");
  assert.equal(done.status, "present");
  assert.equal(done.attempts, 2);
  assert.deepEqual(queue.pending("u1"), []);
  assert.deepEqual(
    queue.recent("u1").map((x) => x.id),
    [e.id],
  );
  assert.equal(queue.nextDue("u1"), null);
});

test("only the server's decision resolves: offline and unavailable wait, qr_expired is final", () => {
  const { queue } = makeQueue();
  for (const [result, decided] of [
    [OFFLINE, false],
    [BUSY, false],
    [EXPIRED, true],
    [ACCEPTED, true],
  ]) {
    const e = queue.add({ uid: "u1", kind: "qr", value: "1.s.1.x", deviceId: "d" });
    assert.equal(settle(queue, e, result, isTransient).decided, decided, result.code ?? result.state);
  }
  assert.equal(queue.pending("u1").length, 2);
  assert.deepEqual(
    queue.recent("u1").map((x) => [x.state, x.code]),
    [
      ["accepted", null],
      ["rejected", "qr_expired"],
    ],
  );
});

test("flush sends what is due; after a network failure the rest wait too", async () => {
  const { queue, clock } = makeQueue();
  const a = queue.add({ uid: "u1", kind: "qr", value: "A", deviceId: "d" });
  const b = queue.add({ uid: "u1", kind: "code", value: "111111", deviceId: "d" });
  queue.add({ uid: "u2", kind: "code", value: "222222", deviceId: "d" });
  const sent = [];
  let changes = 0;
  const out = await flush(
    queue,
    "u1",
    async (e) => {
      sent.push(e.value);
      return OFFLINE;
    },
    {
      transient: isTransient,
      onChange: () => changes++,
    },
  );
  assert.deepEqual(sent, ["A"], "one failed request is enough to know the network is down");
  assert.deepEqual(
    out.map((o) => o.decided),
    [false, false],
  );
  assert.ok(changes >= 1);
  assert.ok(queue.get(b.id).next_at > clock.t);

  // back online: forced flush sends both, oldest first; u2's scan is not u1's to send
  sent.length = 0;
  const results = { A: EXPIRED, 111111: ACCEPTED };
  await flush(
    queue,
    "u1",
    async (e) => {
      sent.push(e.value);
      return results[e.value];
    },
    {
      force: true,
      transient: isTransient,
    },
  );
  assert.deepEqual(sent, ["A", "111111"]);
  assert.deepEqual(queue.pending("u1"), []);
  assert.equal(queue.get(a.id).code, "qr_expired");
  assert.equal(queue.pending("u2").length, 1);
});

test("flush skips entries in flight", async () => {
  const { queue } = makeQueue();
  const a = queue.add({ uid: "u1", kind: "qr", value: "A", deviceId: "d" });
  queue.add({ uid: "u1", kind: "qr", value: "B", deviceId: "d" });
  const sent = [];
  await flush(
    queue,
    "u1",
    async (e) => {
      sent.push(e.value);
      return ACCEPTED;
    },
    {
      transient: isTransient,
      skip: (e) => e.id === a.id,
    },
  );
  assert.deepEqual(sent, ["B"]);
});

test("the history keeps the latest decisions only; unreadable storage starts over", () => {
  const { queue, storage } = makeQueue();
  for (let i = 0; i < HISTORY + 3; i++) {
    const e = queue.add({ uid: "u1", kind: "code", value: String(100000 + i), deviceId: "d" });
    queue.resolve(e.id, ACCEPTED);
  }
  assert.equal(queue.recent("u1").length, HISTORY);
  assert.equal(queue.recent("u1")[0].value, String(100000 + HISTORY + 2));
  queue.clearRecent("u1");
  assert.deepEqual(queue.recent("u1"), []);

  storage.setItem(queue.key, "{not json");
  assert.deepEqual(queue.pending("u1"), []);
  queue.add({ uid: "u1", kind: "code", value: "123456", deviceId: "d" });
  assert.equal(queue.pending("u1").length, 1);
  assert.throws(() => queue.add({ uid: "u1", kind: "photo", value: "x", deviceId: "d" }));
});

// Unit tests of the outbox's sender (web/src/outbox.js) in node: a fake clock (time and
// timers move only when the test says), a fake fetch (the scan endpoint's answers) and a
// fake ID-token source.
import assert from "node:assert/strict";
import { test } from "node:test";

import { OFFLINE_RECHECK_MS, Outbox } from "../src/outbox.js";
import { BASE_DELAY_MS, ScanQueue } from "../src/scan-queue.js";

const SCAN_URL = "http://127.0.0.1:8081/";

function fakeClock(start = 1_000_000) {
  let t = start;
  const timers = new Set();
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const timer = { at: t + ms, fn };
      timers.add(timer);
      return timer;
    },
    clearTimeout(timer) {
      timers.delete(timer);
    },
    /** Move time on by `ms`, running the timers that come due, in order. */
    advance(ms) {
      const until = t + ms;
      for (;;) {
        const next = [...timers].filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers.delete(next);
        t = next.at;
        next.fn();
      }
      t = until;
    },
    pending: () => [...timers].map((x) => x.at - t).sort((a, b) => a - b),
  };
}

function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  };
}

/** A scan endpoint answering from `answers` in turn (a function: thrown = network failure). */
function fakeFetch(...answers) {
  const calls = [];
  const impl = async (url, init) => {
    calls.push({ url, init, body: JSON.parse(init.body) });
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    if (answer === "offline") throw new TypeError("Failed to fetch");
    const [status, body] = answer;
    return new Response(JSON.stringify(body), { status });
  };
  return { impl, calls };
}

const ACCEPTED = [202, { scan_id: "scan-1", status: "present" }];
const BUSY = [503, { error: { code: "unavailable", message: "try again" } }];
const EXPIRED = [403, { error: { code: "qr_expired", message: "QR code has expired" } }];

function setup({ answers = [ACCEPTED], online = true, idToken = async () => "id-token-1", uid = "u1" } = {}) {
  const clock = fakeClock();
  const queue = new ScanQueue({ storage: memoryStorage(), now: clock.now, random: () => 1 });
  const fetch = fakeFetch(...answers);
  const net = { online };
  const changes = [];
  const outbox = new Outbox({
    queue,
    uid,
    scanUrl: SCAN_URL,
    idToken,
    deviceId: () => "phone-1",
    fetchImpl: fetch.impl,
    clock,
    online: () => net.online,
    onChange: (id, outcome) => changes.push([id, outcome?.decided ?? null]),
  });
  return { clock, queue, fetch, net, changes, outbox };
}

test("a check-in is stored, sent with the ID token and device, and decided", async () => {
  const { queue, fetch, outbox, changes, clock } = setup();
  const entry = outbox.checkIn({ kind: "code", value: "391050" });
  assert.equal(queue.pending("u1").length, 1, "kept before it is sent");
  assert.ok(outbox.sending(entry.id));
  await outbox.idle();
  assert.equal(fetch.calls.length, 1);
  assert.equal(fetch.calls[0].url, SCAN_URL);
  assert.equal(fetch.calls[0].init.headers.Authorization, "Bearer id-token-1");
  assert.deepEqual(fetch.calls[0].body, { code: "391050", device_id: "phone-1" });
  assert.deepEqual(queue.pending("u1"), []);
  const done = queue.get(entry.id);
  assert.equal(done.state, "accepted");
  assert.equal(done.scan_id, "scan-1");
  assert.deepEqual(changes, [
    [entry.id, null],
    [entry.id, true],
  ]);
  assert.deepEqual(clock.pending(), [], "nothing left to send: no timer");
});

test("no network: pending, sent again after the backoff, then accepted", async () => {
  const { queue, fetch, outbox, clock } = setup({ answers: ["offline", ACCEPTED] });
  const entry = outbox.checkIn({ kind: "qr", value: "1.sabc.123.AKIjoi6FiqUIFCuf" });
  await outbox.idle();
  const waiting = queue.get(entry.id);
  assert.equal(waiting.state, undefined);
  assert.equal(waiting.last_code, "network");
  assert.deepEqual(clock.pending(), [BASE_DELAY_MS], "the retry is due after the first backoff");

  clock.advance(BASE_DELAY_MS - 1);
  assert.equal(fetch.calls.length, 1, "not before its time");
  clock.advance(1);
  await outbox.idle();
  assert.equal(fetch.calls.length, 2);
  assert.equal(queue.get(entry.id).state, "accepted");
  assert.deepEqual(clock.pending(), []);
  // the first attempt says nothing of a queue; the one sent again, how long it waited
  assert.equal("queued_ms" in fetch.calls[0].body, false);
  assert.equal(fetch.calls[1].body.queued_ms, BASE_DELAY_MS);
});

test("a busy server (503) is not a decision: the backoff doubles until it answers", async () => {
  const { queue, fetch, outbox, clock } = setup({ answers: [BUSY, BUSY, ACCEPTED] });
  const entry = outbox.checkIn({ kind: "code", value: "111111" });
  await outbox.idle();
  assert.deepEqual(clock.pending(), [BASE_DELAY_MS]);
  clock.advance(BASE_DELAY_MS);
  await outbox.idle();
  assert.equal(queue.get(entry.id).last_code, "unavailable");
  assert.deepEqual(clock.pending(), [2 * BASE_DELAY_MS]);
  clock.advance(2 * BASE_DELAY_MS);
  await outbox.idle();
  assert.equal(fetch.calls.length, 3);
  assert.equal(queue.get(entry.id).state, "accepted");
});

test("a refusal is a decision: rejected, never sent again", async () => {
  const { queue, fetch, outbox, clock } = setup({ answers: [EXPIRED] });
  const entry = outbox.checkIn({ kind: "qr", value: "1.sabc.123.AKIjoi6FiqUIFCuf" });
  await outbox.idle();
  const done = queue.get(entry.id);
  assert.equal(done.state, "rejected");
  assert.equal(done.code, "qr_expired");
  clock.advance(10 * 60_000);
  await outbox.idle();
  assert.equal(fetch.calls.length, 1);
});

test("while the browser is offline nothing is attempted; back online it is sent at once", async () => {
  const { queue, fetch, outbox, clock, net } = setup({ answers: ["offline", ACCEPTED] });
  const entry = outbox.checkIn({ kind: "code", value: "222222" }); // the request fails: offline
  await outbox.idle();
  net.online = false;
  await outbox.sendDue({ force: true });
  assert.equal(fetch.calls.length, 1, "not even forced while offline");
  assert.deepEqual(clock.pending(), [OFFLINE_RECHECK_MS], "a slow recheck instead of the backoff");
  clock.advance(BASE_DELAY_MS * 4);
  await outbox.idle();
  assert.equal(fetch.calls.length, 1);

  net.online = true; // the page's `online` event: send everything now
  await outbox.sendDue({ force: true });
  assert.equal(fetch.calls.length, 2);
  assert.equal(queue.get(entry.id).state, "accepted");
});

test("the ID-token source: offline is pending, any other failure asks to sign in again", async () => {
  const offline = Object.assign(new Error("network"), { code: "auth/network-request-failed" });
  const a = setup({
    idToken: async () => {
      throw offline;
    },
  });
  const pending = a.outbox.checkIn({ kind: "code", value: "333333" });
  await a.outbox.idle();
  assert.equal(a.queue.get(pending.id).last_code, "network");
  assert.equal(a.fetch.calls.length, 0);

  const b = setup({
    idToken: async () => {
      throw Object.assign(new Error("revoked"), { code: "auth/user-token-expired" });
    },
  });
  const refused = b.outbox.checkIn({ kind: "code", value: "333333" });
  await b.outbox.idle();
  assert.equal(b.queue.get(refused.id).state, "rejected");
  assert.equal(b.queue.get(refused.id).code, "unauthenticated");
});

test("an entry in flight is not sent twice; another student's entries are not sent at all", async () => {
  const { queue, fetch, outbox } = setup();
  queue.add({ uid: "someone-else", kind: "code", value: "444444", deviceId: "phone-1" });
  const entry = outbox.checkIn({ kind: "code", value: "555555" });
  const again = outbox.send(queue.get(entry.id)); // "Send now" while the first is out
  assert.equal(await again, null);
  await outbox.sendDue({ force: true });
  await outbox.idle();
  assert.deepEqual(
    fetch.calls.map((c) => c.body.code),
    ["555555"],
  );
  assert.equal(queue.pending("someone-else").length, 1);
});

test("scans kept from an earlier visit are sent by the next one, oldest first", async () => {
  const { queue, fetch, outbox } = setup({ answers: [EXPIRED, ACCEPTED] });
  const old = queue.add({ uid: "u1", kind: "qr", value: "1.s.1.AKIjoi6FiqUIFCuf", deviceId: "phone-1" });
  const newer = queue.add({ uid: "u1", kind: "code", value: "666666", deviceId: "phone-1" });
  await outbox.sendDue({ force: true });
  assert.deepEqual(
    fetch.calls.map((c) => c.body.qr ?? c.body.code),
    ["1.s.1.AKIjoi6FiqUIFCuf", "666666"],
  );
  assert.equal(queue.get(old.id).code, "qr_expired");
  assert.equal(queue.get(newer.id).state, "accepted");
});

test("stop: no timer fires and nothing more is sent", async () => {
  const { fetch, outbox, clock } = setup({ answers: ["offline", ACCEPTED] });
  outbox.checkIn({ kind: "code", value: "777777" });
  await outbox.idle();
  outbox.stop();
  assert.deepEqual(clock.pending(), []);
  clock.advance(OFFLINE_RECHECK_MS * 2);
  await outbox.sendDue({ force: true });
  assert.equal(fetch.calls.length, 1);
});

test("an accepted typed code keeps the session the server named", async () => {
  const { queue, outbox } = setup({ answers: [[202, { scan_id: "s9", status: "late", session_id: "sabc" }]] });
  const entry = outbox.checkIn({ kind: "code", value: "999999" });
  await outbox.idle();
  assert.equal(queue.get(entry.id).session_id, "sabc");
  assert.equal(queue.get(entry.id).status, "late");
});

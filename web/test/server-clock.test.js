// Unit tests of the server's clock as the projector reads it (web/src/server-clock.js):
// the offset from GET /time samples (the shortest round trip wins), the clock on it, and
// what the teacher is told when the computer's clock is off.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bestSample,
  createServerClock,
  durationText,
  measureOffset,
  sampleOf,
  skewWarning,
} from "../src/server-clock.js";

/** A server 10 minutes ahead of the page; each request takes `delays[i]` ms there and back. */
function fakeServer({ ahead = 600_000, delays = [40, 8, 120, 10, 30], serverAt = 0.5 }) {
  let t = 1_000_000; // the page's clock
  let i = 0;
  const calls = [];
  return {
    now: () => t,
    calls,
    fetchImpl: async (url, init) => {
      calls.push({ url, init });
      const d = delays[i++ % delays.length];
      t += d * serverAt; // the server reads its clock somewhere on the way
      const epoch = t + ahead;
      t += d * (1 - serverAt);
      return { ok: true, json: async () => ({ now: new Date(epoch).toISOString(), epoch_ms: epoch }) };
    },
  };
}

test("a sample's offset and round trip; nonsense is no sample", () => {
  assert.deepEqual(sampleOf({ sentAt: 100, receivedAt: 120, serverMs: 1110 }), { offset: 1000, rtt: 20 });
  assert.equal(sampleOf({ sentAt: 100, receivedAt: 90, serverMs: 5 }), null);
  assert.equal(sampleOf({ sentAt: 100, receivedAt: 120, serverMs: Number.NaN }), null);
  assert.deepEqual(bestSample([null, { offset: 5, rtt: 30 }, { offset: 7, rtt: 9 }, { offset: 9, rtt: 9 }]), {
    offset: 7,
    rtt: 9,
  });
  assert.equal(bestSample([]), null);
});

test("the offset of a clock 10 minutes slow, from the fastest of five samples", async () => {
  // the server answers late in its round trips: the middle-of-the-trip guess is off by
  // (0.8 - 0.5) x rtt, least for the shortest one (8 ms: 2.4 ms off)
  const server = fakeServer({ ahead: 600_000, serverAt: 0.8 });
  const got = await measureOffset({ url: "https://scan.example/time", fetchImpl: server.fetchImpl, now: server.now });
  assert.equal(got.rtt, 8);
  assert.equal(got.samples, 5);
  assert.ok(Math.abs(got.offset - 600_000) <= 3, got.offset);
  assert.equal(server.calls.length, 5);
  assert.equal(server.calls[0].init.cache, "no-store");
  assert.equal(server.calls[0].init.credentials, "omit");
});

test("failed requests are skipped; none answering is null", async () => {
  let n = 0;
  const flaky = async () => {
    n++;
    if (n % 2) throw new Error("offline");
    return { ok: n !== 4, json: async () => ({ epoch_ms: 5000 }) };
  };
  const got = await measureOffset({ url: "u", fetchImpl: flaky, now: () => 1000, samples: 5 });
  assert.deepEqual(got, { offset: 4000, rtt: 0, samples: 1 });
  const none = await measureOffset({ url: "u", fetchImpl: async () => Promise.reject(new Error("x")), now: () => 0 });
  assert.equal(none, null);
});

test("the clock: the page's time plus the offset; measured again later; a failure retried sooner", async () => {
  const server = fakeServer({ ahead: -25_000, delays: [10] });
  const timers = [];
  const states = [];
  const clock = createServerClock({
    url: "u",
    fetchImpl: server.fetchImpl,
    now: server.now,
    onChange: (s) => states.push(s),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  assert.equal(clock.state().known, false);
  assert.equal(clock.now(), server.now(), "before it is known: the page's own clock");
  clock.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(states.length, 1);
  assert.equal(clock.state().known, true);
  assert.equal(clock.state().offset, -25_000);
  assert.equal(clock.now(), server.now() - 25_000);
  assert.deepEqual(
    timers.map((t) => t.ms),
    [5 * 60_000],
  );
  clock.stop();

  const down = createServerClock({
    url: "u",
    fetchImpl: async () => {
      throw new Error("offline");
    },
    now: () => 0,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
  }).start();
  await new Promise((r) => setImmediate(r));
  assert.equal(down.state().failed, true);
  assert.equal(timers.at(-1).ms, 10_000);
  down.stop();
});

test("the teacher is told beyond 2 s, in words; fast is a negative offset", () => {
  assert.equal(skewWarning(1500), null);
  assert.equal(skewWarning(-2000), null);
  const fast = skewWarning(-600_000);
  assert.equal(fast.how, "fast");
  assert.match(fast.text, /^This computer's clock is 10 mins fast\. Check-in is not affected/);
  assert.match(skewWarning(25_400).text, /is 25 secs slow/);
  assert.equal(durationText(127_000), "2 mins 7 secs");
  assert.equal(durationText(-3 * 3600_000 - 60_000), "3 hrs 1 min");
  assert.equal(skewWarning(Number.NaN), null);
});

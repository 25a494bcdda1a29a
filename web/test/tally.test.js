// Unit tests of the live aggregates (sum of tally shards, arrivals per minute).
import assert from "node:assert/strict";
import { test } from "node:test";

import { arrivalSeries, minuteKey, minuteKeyToDate, notYet, sumShards } from "../src/tally.js";

test("sumShards adds totals and merges arrivals over shards", () => {
  const out = sumShards([
    { total: 2, present: 2, arrivals: { 202601051000: 2 } },
    { total: 3, present: 1, late: 2, arrivals: { 202601051000: 1, 202601051001: 2 } },
    {},
    undefined,
  ]);
  assert.deepEqual(out, {
    total: 5,
    present: 3,
    late: 2,
    excused: 0,
    absent: 0,
    arrivals: { 202601051000: 3, 202601051001: 2 },
  });
});

test("overrides move students between counts; total is present + late", () => {
  // shard 1: a present student excused by the teacher; shard 2: one marked absent
  const out = sumShards([
    { total: 1, present: 1, arrivals: { 202601051000: 2 } },
    { total: 0, present: 0, excused: 1, arrivals: {} },
    { absent: 1 },
  ]);
  assert.equal(out.total, 1);
  assert.equal(out.excused, 1);
  assert.equal(out.absent, 1);
  assert.equal(notYet(out, 5), 2);
  assert.equal(notYet(out, 2), 0);
});

test("minute keys are UTC and round-trip", () => {
  const d = new Date(Date.UTC(2026, 0, 5, 9, 7));
  assert.equal(minuteKey(d), "202601050907");
  assert.equal(minuteKeyToDate("202601050907").getTime(), d.getTime());
  assert.equal(minuteKeyToDate("garbage"), null);
});

test("arrivalSeries fills empty minutes from the start to now", () => {
  const start = new Date(Date.UTC(2026, 0, 5, 10, 0, 30));
  const now = new Date(Date.UTC(2026, 0, 5, 10, 3, 10));
  const series = arrivalSeries({ 202601051001: 4, 202601051003: 1 }, { start, now });
  assert.deepEqual(
    series.map((s) => [minuteKey(s.at), s.count]),
    [
      ["202601051000", 0],
      ["202601051001", 4],
      ["202601051002", 0],
      ["202601051003", 1],
    ],
  );
});

test("arrivalSeries keeps the latest maxBuckets minutes and stops at the end", () => {
  const start = new Date(Date.UTC(2026, 0, 5, 10, 0));
  const end = new Date(Date.UTC(2026, 0, 5, 11, 30));
  const now = new Date(Date.UTC(2026, 0, 5, 12, 0));
  const series = arrivalSeries({}, { start, end, now, maxBuckets: 10 });
  assert.equal(series.length, 10);
  assert.equal(minuteKey(series.at(-1).at), "202601051130");
});

// Live session aggregates: the dashboard function spreads counts over shard documents
// sessions/{sid}/tally/{NN} (no hot document); the page sums them. Pure functions.

export const COUNTS = ["total", "present", "late", "excused", "absent"];

/**
 * Sum shard documents' data: {total, present, late, excused, absent, arrivals:
 * {minuteKey: n}}. `total` counts those checked in (present + late); a teacher's
 * override moves a student between the counts (excused and absent are not in total).
 */
export function sumShards(shards) {
  const out = { total: 0, present: 0, late: 0, excused: 0, absent: 0, arrivals: {} };
  for (const doc of shards) {
    if (!doc) continue;
    for (const name of COUNTS) out[name] += Number(doc[name] ?? 0);
    for (const [minute, n] of Object.entries(doc.arrivals ?? {})) {
      out.arrivals[minute] = (out.arrivals[minute] ?? 0) + Number(n);
    }
  }
  return out;
}

/** Students with no status at all yet (neither checked in nor excused/absent). */
export function notYet(tally, enrolledCount) {
  return Math.max(0, enrolledCount - tally.total - tally.excused - tally.absent);
}

/** "YYYYMMDDHHMM" (UTC) -> Date, or null. */
export function minuteKeyToDate(key) {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(key);
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
}

/** Date -> "YYYYMMDDHHMM" (UTC). */
export function minuteKey(date) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return (
    p(date.getUTCFullYear(), 4) +
    p(date.getUTCMonth() + 1) +
    p(date.getUTCDate()) +
    p(date.getUTCHours()) +
    p(date.getUTCMinutes())
  );
}

/**
 * Arrivals as consecutive minute buckets [{at: Date, count}], from the first of
 * (session start, first arrival) to the last of (last arrival, now capped at the end),
 * at most `maxBuckets` (the latest ones).
 */
export function arrivalSeries(arrivals, { start, end, now = new Date(), maxBuckets = 60 }) {
  const keys = Object.keys(arrivals)
    .filter((k) => minuteKeyToDate(k))
    .sort();
  const floorMin = (d) => Math.floor(d.getTime() / 60000) * 60000;
  let from = start ? floorMin(start) : null;
  let to = floorMin(end && now > end ? end : now);
  if (keys.length) {
    const first = minuteKeyToDate(keys[0]).getTime();
    const last = minuteKeyToDate(keys[keys.length - 1]).getTime();
    from = from === null ? first : Math.min(from, first);
    to = Math.max(to, last);
  }
  if (from === null) from = to;
  from = Math.max(from, to - (maxBuckets - 1) * 60000);
  const series = [];
  for (let t = from; t <= to; t += 60000) {
    const at = new Date(t);
    series.push({ at, count: Number(arrivals[minuteKey(at)] ?? 0) });
  }
  return series;
}

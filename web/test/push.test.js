// Unit tests of push registration's pure parts (web/src/push.js): which mode the
// runtime config asks for, local tokens, the fcm_tokens change, when to write, what
// the control shows, and the per-student record kept on the phone.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  localToken,
  needsSave,
  PUSH_STORAGE_KEY,
  PushRecord,
  pushMode,
  pushStatus,
  RESAVE_MS,
  tokenFields,
} from "../src/push.js";

test("the runtime config decides the mode", () => {
  assert.equal(pushMode({ messaging: { vapidKey: "BPk..." } }), "fcm");
  assert.equal(pushMode({ messaging: { local: true } }), "local");
  assert.equal(pushMode({ messaging: { local: true, vapidKey: "BPk..." } }), "local");
  assert.equal(pushMode({ messaging: { local: "yes" } }), null);
  assert.equal(pushMode({ messaging: { vapidKey: "" } }), null);
  assert.equal(pushMode({ messaging: null }), null);
  assert.equal(pushMode({}), null);
  assert.equal(pushMode(undefined), null);
});

test("a local token is random and has none of the FCM stand-in's error prefixes", () => {
  const a = localToken();
  assert.match(a, /^local-web-[0-9a-f-]{36}$/);
  assert.notEqual(localToken(), a);
  assert.equal(
    localToken(() => "fixed"),
    "local-web-fixed",
  );
  for (const prefix of [
    "unregistered-",
    "invalid-",
    "mismatch-",
    "malformed-",
    "quota-",
    "unavailable-",
    "internal-",
    "thirdparty-",
  ]) {
    assert.ok(!a.startsWith(prefix));
  }
});

test("fcm_tokens fields: a new token in, the token it replaces out, in one write", () => {
  const DELETE = Symbol("deleteField");
  const value = { platform: "web", push: "fcm" };
  assert.deepEqual(tokenFields({ next: "t1", value, remove: DELETE }), { t1: value });
  assert.deepEqual(tokenFields({ next: "t2", previous: "t1", value, remove: DELETE }), { t1: DELETE, t2: value });
  assert.deepEqual(
    tokenFields({ next: "t1", previous: "t1", value, remove: DELETE }),
    { t1: value },
    "same token: rewritten, not deleted",
  );
  assert.deepEqual(tokenFields({ previous: "t1", remove: DELETE }), { t1: DELETE }, "turned off");
  // FCM tokens hold ':' and '-': map keys, never field paths
  const fcm = "dX3k:APA91bH-x_y.z";
  assert.deepEqual(Object.keys(tokenFields({ next: fcm, value, remove: DELETE })), [fcm]);
});

test("a token is written when new, changed, or last written over a week ago", () => {
  const now = 10 * RESAVE_MS;
  assert.equal(needsSave(null, "t1", now), true);
  assert.equal(needsSave({ token: "t1", saved_at: now - 1000 }, "t1", now), false);
  assert.equal(needsSave({ token: "t1", saved_at: now - 1000 }, "t2", now), true, "FCM refreshed it");
  assert.equal(needsSave({ token: "t1", saved_at: now - RESAVE_MS }, "t1", now), true);
  assert.equal(needsSave({ token: "t1" }, "t1", now), true);
});

test("what the control shows", () => {
  const on = { token: "t", mode: "local" };
  const s = (o) => pushStatus({ mode: "local", supported: true, permission: "granted", record: on, ...o });
  assert.equal(s({}), "on");
  assert.equal(s({ mode: null }), "unavailable");
  assert.equal(s({ supported: false }), "unsupported");
  assert.equal(s({ permission: "denied" }), "blocked");
  assert.equal(s({ permission: "default" }), "off", "permission reset: off until asked again");
  assert.equal(s({ record: null }), "off");
  assert.equal(s({ mode: "fcm" }), "off", "a token of the other mode does not count");
});

test("the record on the phone is per student", () => {
  const map = new Map();
  const storage = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)) };
  const records = new PushRecord(storage);
  assert.equal(records.get("u1"), null);
  records.set("u1", { token: "a", mode: "local", saved_at: 1 });
  records.set("u2", { token: "b", mode: "local", saved_at: 2 });
  assert.equal(records.get("u1").token, "a");
  records.delete("u1");
  assert.equal(records.get("u1"), null);
  assert.equal(records.get("u2").token, "b");
  assert.deepEqual(Object.keys(JSON.parse(map.get(PUSH_STORAGE_KEY))), ["u2"]);
  map.set(PUSH_STORAGE_KEY, "{not json");
  assert.equal(new PushRecord(storage).get("u2"), null, "unreadable: start over");
  assert.equal(new PushRecord(null).get("u1"), null, "no storage");
});

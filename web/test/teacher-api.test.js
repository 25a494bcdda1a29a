// Unit tests of the teacher's endpoints client: override, close, export, the download's file
// name (Content-Disposition), error texts with the stable code. fetch is faked.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  closeErrorText,
  closeSession,
  endpoint,
  exportErrorText,
  exportPath,
  fetchExport,
  filenameFromDisposition,
  openErrorText,
  openSession,
  overrideErrorText,
  saveCourseSettings,
  settingsErrorText,
  settingsFromForm,
  submitOverride,
} from "../src/teacher-api.js";

const SCAN_URL = "http://127.0.0.1:8081/";

function fakeFetch(status, body, headers = {}) {
  const calls = [];
  const impl = async (url, init) => {
    calls.push({ url, init });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers });
  };
  return { impl, calls };
}

test("endpoints sit next to the scan URL", () => {
  assert.equal(endpoint(SCAN_URL, "sessions/close"), "http://127.0.0.1:8081/sessions/close");
  assert.equal(
    endpoint("https://scan-abc.a.run.app", exportPath("courses", "c1")),
    "https://scan-abc.a.run.app/exports/courses/c1.csv",
  );
  assert.equal(exportPath("sessions", "s a/b"), "exports/sessions/s%20a%2Fb.csv");
  assert.throws(() => exportPath("users", "x"));
});

test("close posts the session id with the teacher's token", async () => {
  const { impl, calls } = fakeFetch(202, {
    session_id: "s1",
    status: "closed",
    closed_at: "2026-01-05T10:00:00Z",
    absences: "marking",
  });
  const result = await closeSession({ scanUrl: SCAN_URL, idToken: "tok", sessionId: "s1", fetchImpl: impl });
  assert.deepEqual(result, { state: "closed", closedAt: "2026-01-05T10:00:00Z", absences: "marking" });
  assert.equal(calls[0].url, "http://127.0.0.1:8081/sessions/close");
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.headers.Authorization, "Bearer tok");
  assert.deepEqual(JSON.parse(calls[0].init.body), { session_id: "s1" });
  assert.equal(calls[0].init.credentials, "omit");
});

test("close errors keep the stable code, and say what to do", async () => {
  const { impl } = fakeFetch(403, { error: { code: "forbidden", message: "only the teacher" } });
  const result = await closeSession({ scanUrl: SCAN_URL, idToken: "t", sessionId: "s1", fetchImpl: impl });
  assert.deepEqual(result, { state: "rejected", code: "forbidden", message: "only the teacher", httpStatus: 403 });
  assert.equal(closeErrorText(result), "Only the teacher of this course can close its sessions. (forbidden)");

  const proxy = await closeSession({
    scanUrl: SCAN_URL,
    idToken: "t",
    sessionId: "s1",
    fetchImpl: fakeFetch(502, "<html>bad gateway</html>").impl,
  });
  assert.equal(proxy.code, "unavailable");
  assert.match(closeErrorText(proxy), /still open.*\(unavailable\)$/);

  const offline = await closeSession({
    scanUrl: SCAN_URL,
    idToken: "t",
    sessionId: "s1",
    fetchImpl: async () => {
      throw new TypeError("Failed to fetch");
    },
  });
  assert.equal(offline.state, "failed");
  assert.equal(closeErrorText(offline), "No connection to Rollcall: the session is still open. Try again. (network)");
  assert.equal(
    closeErrorText({ code: "bad_request", message: "field 'session_id' must be an id" }),
    "The close was refused: field 'session_id' must be an id (bad_request)",
  );
  assert.equal(closeErrorText({ code: "teapot", message: "no" }), "The close was refused: no (teapot)");
});

test("an export is a blob named by Content-Disposition", async () => {
  const csv = "uid,name\r\nu1,Ana\r\n";
  const { impl, calls } = fakeFetch(200, csv, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": 'attachment; filename="rollcall-session-s1.csv"',
  });
  const result = await fetchExport({ scanUrl: SCAN_URL, idToken: "tok", kind: "sessions", id: "s1", fetchImpl: impl });
  assert.equal(result.state, "ok");
  assert.equal(result.filename, "rollcall-session-s1.csv");
  assert.equal(await result.blob.text(), csv);
  assert.equal(calls[0].url, "http://127.0.0.1:8081/exports/sessions/s1.csv");
  assert.equal(calls[0].init.method, "GET");
  assert.equal(calls[0].init.headers.Authorization, "Bearer tok");

  // no header exposed (CORS): a name from the kind and id
  const bare = await fetchExport({
    scanUrl: SCAN_URL,
    idToken: "t",
    kind: "courses",
    id: "c1",
    fetchImpl: fakeFetch(200, csv).impl,
  });
  assert.equal(bare.filename, "rollcall-course-c1.csv");

  const denied = await fetchExport({
    scanUrl: SCAN_URL,
    idToken: "t",
    kind: "courses",
    id: "c1",
    fetchImpl: fakeFetch(403, { error: { code: "forbidden", message: "only the teacher" } }).impl,
  });
  assert.equal(exportErrorText(denied), "Only the teacher of this course can export its attendance. (forbidden)");
});

test("file names from Content-Disposition", () => {
  const f = (h) => filenameFromDisposition(h, "fallback.csv");
  assert.equal(f('attachment; filename="rollcall-course-c1.csv"'), "rollcall-course-c1.csv");
  assert.equal(f("attachment; filename=plain.csv"), "plain.csv");
  assert.equal(f("attachment; filename=plain.csv; size=10"), "plain.csv");
  assert.equal(f("attachment; filename*=UTF-8''Anwesenheit%20M%C3%A4rz.csv"), "Anwesenheit März.csv");
  assert.equal(f("attachment; filename=\"ascii.csv\"; filename*=UTF-8''utf%E2%9C%93.csv"), "utf✓.csv");
  assert.equal(f('attachment; filename="with \\"quotes\\".csv"'), 'with "quotes".csv');
  assert.equal(f('attachment; filename="../../etc/passwd"'), "passwd");
  assert.equal(f('attachment; filename="C:\\\\evil\\\\x.csv"'), "x.csv");
  assert.equal(f('attachment; filename=".."'), "fallback.csv");
  assert.equal(f("attachment"), "fallback.csv");
  assert.equal(f(null), "fallback.csv");
  assert.equal(f("attachment; filename*=UTF-8''%E0%A4%A.csv"), "fallback.csv");
});

test("the rules form's strings become the endpoint's typed settings", () => {
  const form = {
    minPercent: "75",
    lateWeight: "0,5",
    excusedPolicy: "attended",
    absenceRun: "3",
    plannedSessions: " ",
  };
  assert.deepEqual(settingsFromForm(form), {
    min_attendance_percent: 75,
    late_weight: 0.5,
    excused_policy: "attended",
    absence_alert_run: 3,
    planned_sessions: null,
  });
  assert.equal(settingsFromForm({ ...form, plannedSessions: "12" }).planned_sessions, 12);
  assert.throws(() => settingsFromForm({ ...form, minPercent: "" }), /Minimum attendance must be a number/);
  assert.throws(() => settingsFromForm({ ...form, absenceRun: "three" }), /absences in a row must be a number/);
  assert.equal(settingsFromForm({ ...form, alertsAfter: "4" }).alerts_after_sessions, 4);
  assert.throws(() => settingsFromForm({ ...form, alertsAfter: "" }), /Alerts start after must be a number/);
  // each kind's minimum: blank is null (the course's), a number is its own; auto_open a checkbox
  const perKind = settingsFromForm({ ...form, minTheory: "", minPractical: "80", minTutorial: " ", autoOpen: true });
  assert.equal(perKind.min_attendance_percent_theory, null);
  assert.equal(perKind.min_attendance_percent_practical, 80);
  assert.equal(perKind.min_attendance_percent_tutorial, null);
  assert.equal(perKind.auto_open, true);
  assert.equal(settingsFromForm({ ...form, autoOpen: false }).auto_open, false);
  assert.throws(() => settingsFromForm({ ...form, minPractical: "most" }), /Minimum in practicals must be a number/);
  assert.equal(
    settingsErrorText({
      code: "bad_request",
      message: "min_attendance_percent_practical must be a number from 0 to 100, or null (none), not 120",
    }),
    "Not saved: Minimum in practicals must be a number from 0 to 100, or blank, not 120",
  );
});

test("a session is opened by POST /sessions with the form's settings; a refusal in words", async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    return new Response(
      JSON.stringify({ session_id: "s0123456789ab", starts_at: "2026-12-07T09:00:00+00:00", ends_at: "x" }),
      { status: 201, headers: { "Content-Type": "application/json" } },
    );
  };
  const opened = await openSession({
    scanUrl: "http://scan/",
    idToken: "tok",
    courseId: "ds",
    rotation: 10,
    lateAfter: 5,
    duration: 60,
    fetchImpl,
  });
  await openSession({ scanUrl: "http://scan/", idToken: "tok", courseId: "ds", kind: "practical", fetchImpl });
  assert.deepEqual(JSON.parse(calls[1].init.body), { course_id: "ds", kind: "practical" }, "the form's kind");
  assert.equal(opened.state, "opened");
  assert.equal(opened.sessionId, "s0123456789ab");
  assert.equal(calls[0].url, "http://scan/sessions");
  assert.deepEqual(JSON.parse(calls[0].init.body), {
    course_id: "ds",
    rotation_seconds: 10,
    late_after_minutes: 5,
    duration_minutes: 60,
  });
  assert.equal(calls[0].init.headers.Authorization, "Bearer tok");
  assert.equal(
    openErrorText({ code: "forbidden", message: "x" }),
    "Only the course's teachers and teaching assistants open its sessions. (forbidden)",
  );
});

test("saving the rules posts them with the course id; the server's refusal is shown", async () => {
  const rules = {
    min_attendance_percent: 80,
    late_weight: 1,
    excused_policy: "not_counted",
    absence_alert_run: 3,
    planned_sessions: 10,
  };
  const ok = fakeFetch(200, { course_id: "c1", rules });
  const saved = await saveCourseSettings({
    scanUrl: SCAN_URL,
    idToken: "tok",
    courseId: "c1",
    settings: rules,
    fetchImpl: ok.impl,
  });
  assert.deepEqual(saved, { state: "saved", rules });
  assert.equal(ok.calls[0].url, "http://127.0.0.1:8081/courses/settings");
  assert.deepEqual(JSON.parse(ok.calls[0].init.body), { course_id: "c1", ...rules });
  assert.equal(ok.calls[0].init.headers.Authorization, "Bearer tok");

  const bad = fakeFetch(400, {
    error: { code: "bad_request", message: "late_weight must be a number from 0 to 1, not 2" },
  });
  const refused = await saveCourseSettings({
    scanUrl: SCAN_URL,
    idToken: "tok",
    courseId: "c1",
    settings: rules,
    fetchImpl: bad.impl,
  });
  assert.equal(refused.state, "rejected");
  assert.equal(settingsErrorText(refused), "Not saved: Late counts as must be a number from 0 to 1, not 2");
  assert.equal(
    settingsErrorText({ code: "forbidden", message: "x" }),
    "Not saved: only the course's teacher changes its rules.",
  );
});

test("an override goes to {scanUrl}overrides with the teacher's token", async () => {
  const ok = fakeFetch(202, { override_id: "o1", status: "excused" });
  const r = await submitOverride({
    fetchImpl: ok.impl,
    scanUrl: "http://scan.example/base/",
    idToken: "teacher",
    sessionId: "s1",
    uid: "u1",
    status: "excused",
    reason: "doctor's note",
  });
  assert.deepEqual(r, { state: "accepted", overrideId: "o1", status: "excused" });
  assert.equal(ok.calls[0].url, "http://scan.example/base/overrides");
  assert.equal(ok.calls[0].init.headers.Authorization, "Bearer teacher");
  assert.deepEqual(JSON.parse(ok.calls[0].init.body), {
    session_id: "s1",
    uid: "u1",
    status: "excused",
    reason: "doctor's note",
  });

  const refused = await submitOverride({
    fetchImpl: fakeFetch(403, { error: { code: "forbidden", message: "only the teacher" } }).impl,
    scanUrl: "http://scan/",
    idToken: "x",
    sessionId: "s",
    uid: "u",
    status: "late",
    reason: "r",
  });
  assert.equal(refused.code, "forbidden");
  assert.match(overrideErrorText(refused), /Only the teacher/);
  const bad = await submitOverride({
    fetchImpl: fakeFetch(400, { error: { code: "bad_request", message: "field 'reason' must be text" } }).impl,
    scanUrl: "http://scan/",
    idToken: "x",
    sessionId: "s",
    uid: "u",
    status: "late",
    reason: "r",
  });
  assert.equal(overrideErrorText(bad), "The change was refused: field 'reason' must be text");
});

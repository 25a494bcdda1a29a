// Unit tests of the admin page's calls (web/src/admin-api.js) and the claim
// (account-api.js): the CSV goes as text/csv with the preview's base, a 422 keeps its
// report, refusals keep their code and say what to do. fetch is faked.
import assert from "node:assert/strict";
import { test } from "node:test";

import { claimAccount, claimErrorText, normalizeClaim, nothingClaimed } from "../src/account-api.js";
import {
  adminErrorText,
  fileProblem,
  holidaysText,
  importErrorText,
  importFile,
  importIssueText,
  importPath,
  parseEmails,
  parseHolidays,
  saveDepartment,
  saveTerm,
} from "../src/admin-api.js";
import { IMPORTS } from "../src/contracts.js";

const SCAN_URL = "http://127.0.0.1:8081/";

function fakeFetch(status, body) {
  const calls = [];
  const impl = async (url, init) => {
    calls.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };
  return { impl, calls };
}

const REPORT = {
  ok: true,
  applied: false,
  base: 4,
  counts: { added: 1, changed: 0, removed: 0, unchanged: 0, errors: 0 },
};

test("import paths: dry run previews; an apply carries the preview's base", () => {
  assert.equal(importPath("courses", { dryRun: true }), "imports/courses?dry_run=true");
  assert.equal(importPath("courses", { base: 0 }), "imports/courses?base=0");
  assert.equal(
    importPath("roster", { courseId: "CS 1", dryRun: true, base: 3 }),
    "imports/roster?course_id=CS+1&dry_run=true",
  );
  assert.equal(importPath("roster", { courseId: "c1", base: 3 }), "imports/roster?course_id=c1&base=3");
  assert.throws(() => importPath("roster", {}));
  assert.equal(
    importPath("timetable", { termId: "2026-odd", dryRun: true }),
    "imports/timetable?term_id=2026-odd&dry_run=true",
  );
  assert.equal(importPath("timetable", { termId: "t1", base: 2 }), "imports/timetable?term_id=t1&base=2");
  assert.throws(() => importPath("timetable", {}), /names its term/);
  assert.throws(() => importPath("users", {}));
});

test("a preview sends the file as text/csv with the user's token", async () => {
  const { impl, calls } = fakeFetch(200, REPORT);
  const body = new Blob(["Roll No,Name\n1,A\n"], { type: "text/csv" });
  const result = await importFile({
    scanUrl: SCAN_URL,
    idToken: "tok",
    kind: "roster",
    courseId: "c1",
    body,
    dryRun: true,
    fetchImpl: impl,
  });
  assert.deepEqual(result, { state: "report", report: REPORT });
  assert.equal(calls[0].url, "http://127.0.0.1:8081/imports/roster?course_id=c1&dry_run=true");
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.headers["Content-Type"], "text/csv");
  assert.equal(calls[0].init.headers.Authorization, "Bearer tok");
  assert.equal(calls[0].init.body, body);
});

test("an apply that meets errors keeps its report; a conflict says preview again", async () => {
  const invalid = fakeFetch(422, {
    error: { code: "import_invalid", message: "2 error(s)" },
    report: { ...REPORT, ok: false },
  });
  const result = await importFile({
    scanUrl: SCAN_URL,
    idToken: "t",
    kind: "courses",
    body: "x",
    base: 4,
    fetchImpl: invalid.impl,
  });
  assert.equal(result.state, "invalid");
  assert.equal(result.report.ok, false);
  assert.equal(invalid.calls[0].url, "http://127.0.0.1:8081/imports/courses?base=4");

  const conflict = fakeFetch(409, { error: { code: "conflict", message: "changed since your preview" } });
  const refused = await importFile({
    scanUrl: SCAN_URL,
    idToken: "t",
    kind: "courses",
    body: "x",
    base: 4,
    fetchImpl: conflict.impl,
  });
  assert.equal(refused.code, "conflict");
  assert.match(importErrorText(refused), /preview the file again.*\(conflict\)$/);
  assert.match(importErrorText({ code: "forbidden" }), /heads of its department/);
  assert.match(importErrorText({ code: "something_new", message: "odd" }), /refused: odd \(something_new\)/);

  const down = await importFile({
    scanUrl: SCAN_URL,
    idToken: "t",
    kind: "courses",
    body: "x",
    fetchImpl: async () => {
      throw new TypeError("Failed to fetch");
    },
  });
  assert.equal(down.code, "network");
});

test("a file's size is checked before it is sent", () => {
  assert.equal(fileProblem({ name: "a.csv", size: 10 }), null);
  assert.match(fileProblem({ name: "a.csv", size: 0 }), /empty/);
  assert.match(
    fileProblem({ name: "big.csv", size: IMPORTS.maxBytes + 1 }),
    /big\.csv is 2\.0 MB: files of at most 2\.0 MB/,
  );
  assert.equal(fileProblem({ name: "max.csv", size: IMPORTS.maxBytes }), null);
  assert.ok(fileProblem(null));
});

test("departments and terms: the body the endpoint takes; a refusal in words", async () => {
  const { impl, calls } = fakeFetch(200, { code: "CS", name: "Computer Science", head_emails: ["h@x.example"] });
  const result = await saveDepartment({
    scanUrl: SCAN_URL,
    idToken: "t",
    code: " CS ",
    name: "Computer Science ",
    heads: "H@x.example, b@x.example\nh@x.example",
    fetchImpl: impl,
  });
  assert.equal(result.state, "saved");
  assert.equal(calls[0].url, "http://127.0.0.1:8081/admin/departments");
  assert.deepEqual(JSON.parse(calls[0].init.body), {
    code: "CS",
    name: "Computer Science",
    heads: ["h@x.example", "b@x.example"],
  });

  const term = fakeFetch(400, { error: { code: "bad_request", message: "ends_on is before starts_on" } });
  const refused = await saveTerm({
    scanUrl: SCAN_URL,
    idToken: "t",
    id: "2026-odd",
    name: "Odd",
    startsOn: "2026-07-01",
    endsOn: "2026-06-01",
    holidays: [],
    fetchImpl: term.impl,
  });
  assert.deepEqual(JSON.parse(term.calls[0].init.body), {
    id: "2026-odd",
    name: "Odd",
    starts_on: "2026-07-01",
    ends_on: "2026-06-01",
    holidays: [],
  });
  assert.equal(adminErrorText(refused), "Not saved: ends_on is before starts_on");
  assert.match(adminErrorText({ code: "forbidden" }), /only institution admins/);
});

test("emails and holidays as people type them", () => {
  assert.deepEqual(parseEmails(" a@x.example; B@x.example  a@x.example\n"), ["a@x.example", "b@x.example"]);
  assert.deepEqual(parseEmails(""), []);
  const { holidays, errors } = parseHolidays(
    "2026-08-15 Independence Day\n\n2026-10-02 = Gandhi Jayanti\n2026-11-01\nsoon party",
  );
  assert.deepEqual(holidays, [
    { date: "2026-08-15", name: "Independence Day" },
    { date: "2026-10-02", name: "Gandhi Jayanti" },
    { date: "2026-11-01", name: "Holiday" },
  ]);
  assert.deepEqual(errors, ['line 5: "soon party" does not start with a date (YYYY-MM-DD)']);
  assert.equal(holidaysText(holidays), "2026-08-15 Independence Day\n2026-10-02 Gandhi Jayanti\n2026-11-01 Holiday");
  assert.deepEqual(parseHolidays("2026-13-45 Nope").holidays, []);
});

test("the claim: POST /me/claim with no body; what an email was given", async () => {
  const answer = {
    email: "a@x.example",
    email_verified: true,
    admin: false,
    departments: [],
    staff: {},
    enrolled: ["c1"],
  };
  const { impl, calls } = fakeFetch(200, answer);
  const result = await claimAccount({ scanUrl: SCAN_URL, idToken: "tok", fetchImpl: impl });
  assert.equal(result.state, "claimed");
  assert.deepEqual(result.me.enrolled, ["c1"]);
  assert.equal(calls[0].url, "http://127.0.0.1:8081/me/claim");
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.body, undefined);
  assert.equal(calls[0].init.headers["Content-Type"], undefined);
  assert.equal(nothingClaimed(result.me), false);
  assert.equal(nothingClaimed(normalizeClaim({ email: "n@x.example" })), true);
  assert.equal(nothingClaimed(normalizeClaim({ staff: { c1: "ta" } })), false);
  assert.equal(nothingClaimed(normalizeClaim({ departments: ["CS"] })), false);
  assert.equal(nothingClaimed(normalizeClaim({ admin: true })), false);

  const down = fakeFetch(503, { error: { code: "unavailable", message: "try again" } });
  const failed = await claimAccount({ scanUrl: SCAN_URL, idToken: "tok", fetchImpl: down.impl });
  assert.equal(failed.code, "unavailable");
  assert.match(claimErrorText(failed), /^Your courses could not be checked\. Rollcall is busy/);
  assert.doesNotMatch(claimErrorText(failed), /unavailable/, "the code is for Details, not the sentence");
});

// ---- the defaulter list ----------------------------------------------------------------------

test("the defaulter list is fetched with the query the server expects and saved under its name", async () => {
  const { defaultersPath, fetchDefaulters } = await import("../src/admin-api.js");
  assert.equal(
    defaultersPath({ format: "pdf", department: "COMP", division: "A 1", asOf: "2026-09-30" }),
    "reports/defaulters.pdf?department=COMP&division=A+1&as_of=2026-09-30",
  );
  assert.equal(
    defaultersPath({ format: "csv", department: "COMP", division: "", asOf: "2026-09-30" }),
    "reports/defaulters.csv?department=COMP&as_of=2026-09-30",
  );
  assert.throws(() => defaultersPath({ format: "xls", department: "COMP", asOf: "2026-09-30" }));
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    return new Response("\ufeffroll_no\r\n", {
      status: 200,
      headers: { "Content-Disposition": 'attachment; filename="defaulters-COMP-2026-09-30.csv"' },
    });
  };
  const result = await fetchDefaulters({
    scanUrl: SCAN_URL,
    idToken: "tok",
    fetchImpl,
    format: "csv",
    department: "COMP",
    asOf: "2026-09-30",
  });
  assert.equal(result.state, "ok");
  assert.equal(result.filename, "defaulters-COMP-2026-09-30.csv");
  assert.equal(calls[0].init.method, "GET");
  assert.equal(calls[0].init.headers.Authorization, "Bearer tok");
});

test("a refused defaulter list says what to do, with its code", async () => {
  const { defaultersErrorText, fetchDefaulters } = await import("../src/admin-api.js");
  const { impl } = fakeFetch(422, { error: { code: "outside_term", message: "2001-01-01 is outside the terms" } });
  const result = await fetchDefaulters({
    scanUrl: SCAN_URL,
    idToken: "tok",
    fetchImpl: impl,
    format: "pdf",
    department: "COMP",
    asOf: "2001-01-01",
  });
  assert.equal(result.code, "outside_term");
  assert.match(defaultersErrorText(result), /^Pick a date within the term: .*\(outside_term\)$/);
  assert.match(defaultersErrorText({ code: "forbidden", message: "x" }), /heads and institution admins/);
});

test("every import issue code of the contracts has its words in the catalogs", () => {
  for (const code of [...IMPORTS.fileErrors, ...IMPORTS.rowErrors, ...IMPORTS.warnings]) {
    assert.notEqual(importIssueText(code), code, code);
  }
  assert.equal(importIssueText("invalid_email"), "Not an email address");
  assert.equal(importIssueText("something_new"), "something_new");
});

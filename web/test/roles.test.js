// Unit tests of roles.js: the page decides who may do what as rollcall.core.access does,
// from the contracts' matrix (roles.actions), so the buttons it shows are the ones the
// endpoints accept: a TA runs sessions and overrides, but changes no rules and exports
// nothing; a head of department views and exports their department's courses.
import assert from "node:assert/strict";
import { test } from "node:test";

import contracts, { ROLE_ACTIONS } from "../src/contracts.js";
import { ACTIONS, administers, may, permissions, rolesIn } from "../src/roles.js";

const course = { department_id: "CS", roles: { t1: "teacher", a1: "ta", x: "student" } };

test("the matrix is the contracts' own", () => {
  const actions = Object.keys(contracts.roles.actions).filter((a) => !a.startsWith("$"));
  assert.deepEqual(Object.keys(ROLE_ACTIONS).sort(), actions.sort());
  assert.deepEqual(Object.keys(ACTIONS).sort(), actions.sort());
  for (const action of actions) assert.deepEqual([...ROLE_ACTIONS[action]], contracts.roles.actions[action]);
});

test("roles held: staff from the course, hod from the claim's departments, admin from the claim", () => {
  assert.deepEqual([...rolesIn({ uid: "t1", course })], ["teacher"]);
  assert.deepEqual([...rolesIn({ uid: "a1", course })], ["ta"]);
  assert.deepEqual([...rolesIn({ uid: "x", course })], [], "only staff roles count");
  assert.deepEqual([...rolesIn({ uid: "h", course, me: { departments: ["CS"] } })], ["hod"]);
  assert.deepEqual([...rolesIn({ uid: "h", course, me: { departments: ["EE"] } })], []);
  assert.deepEqual([...rolesIn({ uid: "z", course, me: { admin: true } })], ["admin"]);
  assert.deepEqual([...rolesIn({ uid: "z", course: null, me: { admin: true, departments: ["CS"] } })], ["admin"]);
  assert.deepEqual([...rolesIn({ uid: "h", course: { roles: {} }, me: { departments: ["CS"] } })], []);
});

test("a TA runs sessions and overrides, and sees no rules change nor export", () => {
  const ta = permissions(rolesIn({ uid: "a1", course }));
  assert.equal(ta.view_course, true);
  assert.equal(ta.run_sessions, true);
  assert.equal(ta.override, true);
  assert.equal(ta.change_rules, false);
  assert.equal(ta.export, false);
  assert.equal(ta.import_roster, false);
});

test("each role against every action, as the contracts say", () => {
  for (const role of ["admin", "hod", "teacher", "ta"]) {
    for (const [action, allowed] of Object.entries(ROLE_ACTIONS)) {
      assert.equal(may(action, new Set([role])), allowed.includes(role), `${role} ${action}`);
    }
  }
  assert.equal(may("no_such_action", new Set(["admin"])), false);
  assert.equal(may("export", new Set()), false);
  const teacherAndHod = permissions(new Set(["teacher", "hod"]));
  assert.equal(teacherAndHod.run_sessions && teacherAndHod.import_roster, true, "roles add up");
});

test("the admin page is for institution admins and heads of department", () => {
  assert.equal(administers({ admin: true, departments: [] }), true);
  assert.equal(administers({ admin: false, departments: ["CS"] }), true);
  assert.equal(administers({ admin: false, departments: [] }), false);
  assert.equal(administers(null), false);
});

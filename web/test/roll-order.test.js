// Unit tests of roll-order.js: class lists in roll-number order as people read them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { byRollNo, compareRollNo, sortByRollNo } from "../src/roll-order.js";

test("roll numbers in natural order: 2 before 10, A-9 before A-10", () => {
  const rolls = ["10", "2", "1", "A-10", "A-9", "B-1", "100", "20"];
  assert.deepEqual([...rolls].sort(compareRollNo), ["1", "2", "10", "20", "100", "A-9", "A-10", "B-1"]);
  assert.ok(compareRollNo(2, "10") < 0, "numbers as well as strings");
  assert.ok(compareRollNo("cs-2", "CS-10") < 0, "case does not matter");
});

test("students without a roll number come last; ties by name, then uid", () => {
  const rows = [
    { uid: "u5", name: "Zed" },
    { uid: "u4", roll_no: "10", name: "Ann" },
    { uid: "u3", rollNo: "2", name: "Bob" },
    { uid: "u2", name: "Amy" },
    { uid: "u1", roll_no: " ", name: "Cal" },
    { uid: "u0", name: "Amy" },
  ];
  assert.deepEqual(
    sortByRollNo(rows).map((r) => r.uid),
    ["u3", "u4", "u0", "u2", "u1", "u5"],
  );
  assert.equal(rows[0].uid, "u5", "a copy: the input is not sorted in place");
  assert.equal(byRollNo({ uid: "a", roll_no: "7" }, { uid: "a", roll_no: "7" }), 0);
});

test("leading zeros and equal numbers still give one order", () => {
  const sorted = ["007", "7", "07"].sort(compareRollNo);
  assert.deepEqual(sorted, [...sorted].sort(compareRollNo), "stable");
  assert.equal(new Set(sorted).size, 3);
  assert.notEqual(compareRollNo("07", "7"), 0);
});

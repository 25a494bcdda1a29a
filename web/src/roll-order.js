// Lists of students in roll-number order, as a class register reads: 2 before 10,
// "A-9" before "A-10" (rollcall.core.imports.plan.natural_key orders the exports the
// same way). Students without a roll number come after those with one, by name.

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" }).compare;
const exact = new Intl.Collator(undefined, { numeric: true }).compare;

const blank = (v) => v === null || v === undefined || String(v).trim() === "";

/** Two roll numbers (strings or numbers; blank last), in natural order. */
export function compareRollNo(a, b) {
  if (blank(a) || blank(b)) return blank(a) - blank(b);
  const x = String(a).trim();
  const y = String(b).trim();
  return natural(x, y) || exact(x, y) || (x < y ? -1 : x > y ? 1 : 0);
}

/**
 * Two students ({rollNo | roll_no, name, uid}): by roll number, then name, then uid,
 * so the order is total and the same on every render.
 */
export function byRollNo(a, b) {
  return (
    compareRollNo(a.rollNo ?? a.roll_no, b.rollNo ?? b.roll_no) ||
    natural(String(a.name ?? ""), String(b.name ?? "")) ||
    String(a.uid ?? "").localeCompare(String(b.uid ?? ""))
  );
}

/** A sorted copy. */
export function sortByRollNo(rows) {
  return [...rows].sort(byRollNo);
}

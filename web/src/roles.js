// What the signed-in person may do to a course, decided as the server decides it
// (rollcall.core.access) from the contracts' matrix (roles.actions): the page shows a
// button only to those the endpoint behind it would accept. The roles come from the
// person's claim (POST /me/claim: admin, departments) and the course document (roles:
// uid -> teacher | ta). Pure, so node --test checks it against the contracts.
import { ROLE_ACTIONS, STAFF_ROLES } from "./contracts.js";

export const ACTIONS = Object.freeze(Object.fromEntries(Object.keys(ROLE_ACTIONS).map((a) => [a, a])));

/**
 * The roles `uid` holds for `course` ({department_id, roles}; null: the institution as
 * a whole), given `me` (the claim's {admin, departments}): a Set of admin, hod,
 * teacher, ta.
 */
export function rolesIn({ uid, course = null, me = null }) {
  const held = new Set();
  if (me?.admin) held.add("admin");
  if (course) {
    if (course.department_id && (me?.departments ?? []).includes(course.department_id)) held.add("hod");
    const role = course.roles?.[uid];
    if (STAFF_ROLES.includes(role)) held.add(role);
  }
  return held;
}

/** Whether any of `roles` may take `action` (an unknown action: nobody may). */
export function may(action, roles) {
  const allowed = ROLE_ACTIONS[action];
  if (!allowed) return false;
  for (const role of roles) if (allowed.includes(role)) return true;
  return false;
}

/** {action: boolean} for every action of the contracts: what a view needs at once. */
export function permissions(roles) {
  return Object.fromEntries(Object.keys(ROLE_ACTIONS).map((action) => [action, may(action, roles)]));
}

/** Whether the admin page is for this person: institution admins and heads of department. */
export function administers(me) {
  return !!(me?.admin || me?.departments?.length);
}

/** Whether this person is on any course's staff (teacher or TA): their landing page is Today. */
export function teaches(me) {
  return Object.values(me?.staff ?? {}).some((role) => STAFF_ROLES.includes(role));
}

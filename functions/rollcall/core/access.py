"""Who may do what to which course: the one place that decides it for every endpoint
(rollcall.http.toolkit.require) and the operator CLI. The matrix itself is the
contract's (``roles.actions`` in contracts.json), which the web app reads to show what
a person may do and firestore.rules mirrors for the reads it allows (decision 0019).

Roles, all kept in Firestore documents (rollcall.core.schema), read fresh on every
request, so a change takes effect at the next one:

* ``admin``: an institution admin (``admins/{uid}`` exists);
* ``hod``: an admin of the course's department (``head_uids`` of
  ``departments/{department}``);
* ``teacher``, ``ta``: the course's staff (``roles`` of ``courses/{course}``, uid -> role).

A student is none of these: what a student may read is their own, which the rules
decide (their enrollment, records, figures, inbox).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore import Client

from rollcall import contracts
from rollcall.core import schema
from rollcall.errors import NotFound

ADMIN, HOD, TEACHER, TA = "admin", "hod", "teacher", "ta"
STAFF: tuple[str, ...] = tuple(contracts.data()["roles"]["staff"])
#: action -> the roles that may take it.
ACTIONS: dict[str, frozenset[str]] = {
    action: frozenset(roles)
    for action, roles in contracts.data()["roles"]["actions"].items()
    if not action.startswith("$")
}
VIEW_COURSE, RUN_SESSIONS, OVERRIDE = "view_course", "run_sessions", "override"
PLAN_SESSIONS = "plan_sessions"
CHANGE_RULES, EXPORT = "change_rules", "export"
IMPORT_ROSTER, MANAGE_COURSES, MANAGE_INSTITUTION = (
    "import_roster",
    "manage_courses",
    "manage_institution",
)
REPORT_DEPARTMENT = "report_department"
DATA_REQUESTS = "data_requests"


@dataclass(frozen=True)
class Course:
    """What the decision needs of a course: its department and its staff."""

    id: str
    department_id: str | None
    roles: Mapping[str, str]

    @classmethod
    def from_doc(cls, course_id: str, doc: Mapping[str, Any]) -> Course:
        roles = doc.get("roles") or {}
        return cls(
            id=course_id,
            department_id=doc.get("department_id"),
            roles={uid: role for uid, role in roles.items() if role in STAFF},
        )


def roles_in(uid: str, course: Course | None, admin: bool, head_of: frozenset[str]) -> set[str]:
    """The roles ``uid`` holds for ``course`` (None: the institution as a whole)."""
    held = {ADMIN} if admin else set()
    if course is not None:
        if course.department_id is not None and course.department_id in head_of:
            held.add(HOD)
        role = course.roles.get(uid)
        if role:
            held.add(role)
    return held


def allowed(action: str, roles: set[str]) -> bool:
    return bool(ACTIONS[action] & roles)


def decide(db: Client, uid: str, action: str, course_id: str | None) -> tuple[bool, Course | None]:
    """Whether ``uid`` may take ``action`` on the course (or the institution), and the
    course as read (None when there is no such course). Reads the course, then only
    if its staff role does not settle it the person's admin and department roles: one
    or two round trips, nothing cached."""
    course: Course | None = None
    if course_id is not None:
        snap = schema.course(db, course_id).get()
        if snap.exists:
            course = Course.from_doc(course_id, snap.to_dict() or {})
        role = course.roles.get(uid) if course else None
        if role and allowed(action, {role}):
            return True, course
        if course is None:
            # Nobody may act on a course that does not exist; only an institution
            # admin learns that it does not (everyone else gets forbidden).
            if schema.admin(db, uid).get().exists:
                raise NotFound(f"no course {course_id!r}: import the courses file first")
            return False, None
    refs = [schema.admin(db, uid)]
    if course is not None and course.department_id:
        refs.append(schema.department(db, course.department_id))
    snaps = {snap.reference.path: snap for snap in db.get_all(refs)}
    admin = snaps[refs[0].path].exists
    head_of: frozenset[str] = frozenset()
    if len(refs) > 1:
        dept = snaps[refs[1].path]
        if dept.exists and uid in ((dept.to_dict() or {}).get("head_uids") or []):
            head_of = frozenset({dept.id})
    return allowed(action, roles_in(uid, course, admin, head_of)), course


def decide_department(db: Client, uid: str, action: str, department_id: str) -> bool:
    """Whether ``uid`` may take ``action`` on the department: as an institution admin,
    or as its admin (a head). An unknown department is ``NotFound`` for an institution
    admin and a refusal for everyone else (like an unknown course)."""
    refs = [schema.admin(db, uid), schema.department(db, department_id)]
    snaps = {snap.reference.path: snap for snap in db.get_all(refs)}
    admin, dept = snaps[refs[0].path].exists, snaps[refs[1].path]
    if not dept.exists:
        if admin:
            raise NotFound(f"no department {department_id!r}")
        return False
    heads = (dept.to_dict() or {}).get("head_uids") or []
    return allowed(
        action, roles_in(uid, None, admin, frozenset()) | ({HOD} if uid in heads else set())
    )


def institution_roles(db: Client, uid: str) -> tuple[bool, frozenset[str]]:
    """Whether ``uid`` is an institution admin, and the departments they head."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    admin = schema.admin(db, uid).get().exists
    heads = (
        db.collection(schema.DEPARTMENTS)
        .where(filter=FieldFilter("head_uids", "array_contains", uid))
        .select([])
        .stream()
    )
    return admin, frozenset(snap.id for snap in heads)

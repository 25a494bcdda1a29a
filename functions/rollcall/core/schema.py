"""Where Rollcall keeps what in Firestore: every collection and document path, once
(docs/data-model.md describes each document). Written only by the functions and the
operator CLI (Admin SDK); firestore.rules says which client reads what.

* ``admins/{uid}``: the institution's admins; ``grants/{email key}``: an admin grant
  for an email that has no account yet (rollcall.core.people)
* ``departments/{department}``: ``code``, ``name``, ``head_emails``, ``head_uids``
* ``terms/{term}``: ``name``, ``starts_on``, ``ends_on``, ``holidays``
* ``courses/{course}``: ``code``, ``name``, ``department_id``, ``term_id``,
  ``divisions``, its staff (``staff``, ``roles``, ``staff_uids``, ``staff_emails``),
  the attendance rules (rollcall.core.standing)

  * ``roster/{email key}``: a student as the institution lists them, before and after
    they have an account (rollcall.core.imports.roster)
  * ``enrollments/{uid}``: a rostered student with an account: what a scan checks
  * ``students/{uid}``: the student's course figures (rollcall.consumers.figures)

* ``planned/{id}``: a planned session of a term's timetable (rollcall.core.timetable)
* ``imports/{import}``: an import's progress and outcome
* ``institution/settings``: institution-wide settings (rollcall.core.institution)
* ``requests/{request}``: a student's absence request (rollcall.core.absences)

* ``sessions/{session}``: ``course_id``, ``teacher_uid``, ``secret``,
  ``rotation_seconds``, ``late_after_minutes``, ``starts_at``, ``ends_at``, ``status``
  (rollcall.core.sessions), and after a close ``closed_at``, ``closed_by``,
  ``absences_marked_at`` (rollcall.core.closing)

  * ``attendance/{uid}``: the student's record (rollcall.consumers.attendance)

    * ``audit/{override}``: one per teacher's override

  * ``tally/{NN}``, ``tally_marks/{uid}``: the live counts (rollcall.consumers.dashboard)
  * ``devices/{key}``: which student a phone checked in (rollcall.core.devices)
  * ``rejections/{uid}__{code}``: rejected scans (rollcall.core.rejections)

* ``disputes/{session}__{uid}``: a student's dispute of their absence or late mark in a
  session, and its decision (rollcall.core.disputes)

* ``users/{uid}``: ``fcm_tokens`` (the student's devices for push)

  * ``inbox/{entry}``: notifications (rollcall.consumers.notify)

* ``privacy_erasures/{email key}``: a person's data erased (rollcall.core.privacy)

``devices``, ``rejections``, ``inbox``, ``requests`` and ``mail`` documents expire at
their ``expire_at`` (rollcall.core.retention).
"""

from __future__ import annotations

from google.cloud.firestore import Client, CollectionReference, DocumentReference

ADMINS = "admins"
GRANTS = "grants"
DEPARTMENTS = "departments"
TERMS = "terms"
IMPORTS = "imports"
INSTITUTION = "institution"
REQUESTS = "requests"
PLANNED = "planned"
COURSES = "courses"
ROSTER = "roster"
ENROLLMENTS = "enrollments"
STUDENTS = "students"
SESSIONS = "sessions"
ATTENDANCE = "attendance"
AUDIT = "audit"
TALLY = "tally"
TALLY_MARKS = "tally_marks"
DEVICES = "devices"
REJECTIONS = "rejections"
DISPUTES = "disputes"
USERS = "users"
INBOX = "inbox"


def email_key(email: str) -> str:
    """The document id of what is keyed by an email (roster rows, grants): the email
    itself may hold characters ids may not, and should not show in paths or logs."""
    import hashlib

    return "e" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:31]


def admin(db: Client, uid: str) -> DocumentReference:
    return db.collection(ADMINS).document(uid)


def grant(db: Client, email: str) -> DocumentReference:
    return db.collection(GRANTS).document(email_key(email))


def department(db: Client, department_id: str) -> DocumentReference:
    return db.collection(DEPARTMENTS).document(department_id)


def term(db: Client, term_id: str) -> DocumentReference:
    return db.collection(TERMS).document(term_id)


def planned(db: Client, planned_id: str) -> DocumentReference:
    """A planned session of a term's timetable (rollcall.core.timetable)."""
    return db.collection(PLANNED).document(planned_id)


def institution_settings(db: Client) -> DocumentReference:
    return db.collection(INSTITUTION).document("settings")


def absence_request(db: Client, request_id: str) -> DocumentReference:
    """A student's absence request (rollcall.core.absences)."""
    return db.collection(REQUESTS).document(request_id)


def import_run(db: Client, import_id: str) -> DocumentReference:
    return db.collection(IMPORTS).document(import_id)


def course(db: Client, course_id: str) -> DocumentReference:
    return db.collection(COURSES).document(course_id)


def roster(db: Client, course_id: str) -> CollectionReference:
    return course(db, course_id).collection(ROSTER)


def enrollments(db: Client, course_id: str) -> CollectionReference:
    return course(db, course_id).collection(ENROLLMENTS)


def course_students(db: Client, course_id: str) -> CollectionReference:
    return course(db, course_id).collection(STUDENTS)


def student(db: Client, course_id: str, uid: str) -> DocumentReference:
    """The student's figures in the course."""
    return course_students(db, course_id).document(uid)


def session(db: Client, session_id: str) -> DocumentReference:
    return db.collection(SESSIONS).document(session_id)


def attendance(db: Client, session_id: str) -> CollectionReference:
    return session(db, session_id).collection(ATTENDANCE)


def record(db: Client, session_id: str, uid: str) -> DocumentReference:
    """The student's attendance record for the session."""
    return attendance(db, session_id).document(uid)


def audit(db: Client, session_id: str, uid: str, override_id: str) -> DocumentReference:
    return record(db, session_id, uid).collection(AUDIT).document(override_id)


def tally(db: Client, session_id: str) -> CollectionReference:
    return session(db, session_id).collection(TALLY)


def tally_mark(db: Client, session_id: str, uid: str) -> DocumentReference:
    return session(db, session_id).collection(TALLY_MARKS).document(uid)


def device_path(session_id: str, key: str) -> str:
    return f"{SESSIONS}/{session_id}/{DEVICES}/{key}"


def rejection(db: Client, session_id: str, doc_id: str) -> DocumentReference:
    return session(db, session_id).collection(REJECTIONS).document(doc_id)


def user(db: Client, uid: str) -> DocumentReference:
    return db.collection(USERS).document(uid)


def inbox(db: Client, uid: str, entry_id: str) -> DocumentReference:
    return user(db, uid).collection(INBOX).document(entry_id)


def dispute(db: Client, dispute_id: str) -> DocumentReference:
    """A student's dispute of one session (id ``{session}__{uid}``)."""
    return db.collection(DISPUTES).document(dispute_id)

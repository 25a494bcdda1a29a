// The admin page (#/admin/<section>) for institution admins and heads of department:
//   courses      the courses file: upload, preview, apply (import-panel.js)
//   rosters      a course's roster: pick the course, then the same flow (roster-import.js)
//   timetable    a term's timetable: pick the term, then the same flow (timetable-import.js)
//   departments  the departments and their heads (institution admins; institution.js)
//   terms        the terms, their dates and holidays (institution admins; institution.js)
//   department   a department's attendance over the term: plot, counts, heatmap (department.js)
//   defaulters   the defaulter list of a department or division (defaulters.js)
// What each may do is the contracts' matrix (roles.js: manage_institution for
// departments and terms, manage_courses for the courses file and the timetable,
// import_roster for rosters); the server decides again on every call. Data: Firestore listeners into
// the page's store (store.js); the calls: admin-api.js.
import { firebase } from "../config.js";
import { t, words } from "../i18n/index.js";
import { administers, may, rolesIn } from "../roles.js";
import { html, useEffect, useMemo } from "../ui.js";
import { DefaultersPanel } from "./defaulters.js";
import { DepartmentPanel } from "./department.js";
import { ImportPanel } from "./import-panel.js";
import { DepartmentsPanel, InstitutionSettingsCard, TermsPanel } from "./institution.js";
import { RosterImport } from "./roster-import.js";
import { createAdminStore, sortCourses, sortTerms } from "./store.js";
import { TimetableImport } from "./timetable-import.js";

/** The sections' names in the tabs (read when shown: they follow the language). */
const SECTION_NAMES = words({
  courses: "admin.sections.courses",
  rosters: "admin.sections.rosters",
  timetable: "admin.sections.timetable",
  departments: "admin.sections.departments",
  terms: "admin.sections.terms",
  department: "admin.sections.department",
  defaulters: "admin.sections.defaulters",
});

const SECTIONS = [
  ["courses", "manage_courses"],
  ["rosters", "import_roster"],
  ["timetable", "manage_courses"],
  ["departments", "manage_institution"],
  ["terms", "manage_institution"],
  ["department", "report_department"],
  ["defaulters", "report_department"],
];

/** The sections this person may use (heads of department: the imports only). */
export function sectionsFor(me) {
  // a head holds "hod" for their department's courses: ask as for one of those
  const roles = rolesIn({ uid: "", course: { department_id: me?.departments?.[0] ?? null, roles: {} }, me });
  return SECTIONS.filter(([, action]) => may(action, roles));
}

export function AdminView({ user, me, fsx, section }) {
  const store = useMemo(() => createAdminStore(), []);
  const sections = sectionsFor(me);
  const current = sections.find(([key]) => key === section) ?? sections[0];
  const context = useMemo(
    () => async () => {
      const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
      return { scanUrl: config.scanUrl, idToken };
    },
    [user],
  );

  const docTitle = t("admin.docTitle");
  useEffect(() => {
    document.title = docTitle;
  }, [docTitle]);
  useEffect(() => {
    if (!administers(me)) return undefined;
    return startListeners(store, fsx, me);
  }, [store, fsx, me]);

  if (!administers(me) || !current) {
    return html`<section class="page" aria-labelledby="admin-title">
      <h1 id="admin-title">${t("admin.title")}</h1>
      <p class="notice" id="admin-denied">${t("admin.denied")}</p>
    </section>`;
  }
  const [key] = current;
  return html`<section class="page page-wide admin" aria-labelledby="admin-title" data-section=${key}>
    <h1 id="admin-title">${t("admin.title")}</h1>
    <p class="muted admin-who">
      ${
        me.admin
          ? t("admin.institutionAdmin")
          : html`${t("admin.headOf")} <span translate=${false}>${me.departments.join(", ")}</span>`
      }
    </p>
    <nav class="subnav" aria-label=${t("admin.sectionsLabel")}>
      ${sections.map(
        ([k]) =>
          html`<a
            key=${k}
            href=${`#/admin/${k}`}
            id=${`admin-tab-${k}`}
            class="chip"
            aria-current=${k === key ? "page" : undefined}
            >${SECTION_NAMES[k]}</a
          >`,
      )}
    </nav>
    ${key === "courses" ? html`<${CoursesImport} user=${user} fsx=${fsx} me=${me} context=${context} />` : null}
    ${key === "rosters" ? html`<${RosterImport} store=${store} user=${user} fsx=${fsx} context=${context} />` : null}
    ${
      key === "timetable"
        ? html`<${TimetableImport} store=${store} user=${user} fsx=${fsx} me=${me} context=${context} />`
        : null
    }
    ${key === "departments" ? html`<${DepartmentsPanel} store=${store} context=${context} />` : null}
    ${key === "terms" ? html`<${TermsPanel} store=${store} context=${context} />` : null}
    ${key === "terms" ? html`<${InstitutionSettingsCard} fsx=${fsx} context=${context} />` : null}
    ${key === "department" ? html`<${DepartmentPanel} store=${store} me=${me} context=${context} />` : null}
    ${key === "defaulters" ? html`<${DefaultersPanel} store=${store} me=${me} context=${context} />` : null}
  </section>`;
}

function CoursesImport({ user, fsx, me, context }) {
  return html`<${ImportPanel}
    kind="courses"
    title=${t("adminImport.courses.title")}
    user=${user}
    fsx=${fsx}
    context=${context}
    intro=${html`<p>
        ${t("adminImport.courses.intro")}
        ${me.admin ? "" : html`${" "}${t("adminImport.courses.yours", { departments: me.departments.join(", ") })}`}
      </p>
      <details class="format">
        <summary>${t("adminImport.fileFormat")}</summary>
        <pre class="sample" translate=${false}>
Course Code,Course Name,Dept,Term,Divisions,Teachers,TAs
CS301,Distributed Systems,CS,2026-odd,"A, B",anita.rao@college.example,ravi.ta@college.example</pre
        >
        <p class="muted small">${t("adminImport.courses.format")}</p>
      </details>`}
  />`;
}

/** The lists the page shows, from Firestore; returns the function that stops them. */
function startListeners(store, { db, fs }, me) {
  const stops = [];
  const failed = (name) => (err) => {
    store.errors.value = { ...store.errors.value, [name]: err.code ?? err.message };
  };
  const docs = (snap) => snap.docs.map((d) => ({ id: d.id, ...d.data() }));
  stops.push(
    fs.onSnapshot(
      fs.collection(db, "terms"),
      (snap) => {
        store.terms.value = sortTerms(docs(snap));
      },
      failed("terms"),
    ),
  );
  if (me.admin) {
    stops.push(
      fs.onSnapshot(
        fs.collection(db, "departments"),
        (snap) => {
          store.departments.value = docs(snap).sort((a, b) => a.id.localeCompare(b.id));
        },
        failed("departments"),
      ),
    );
    stops.push(
      fs.onSnapshot(
        fs.collection(db, "courses"),
        (snap) => {
          store.courses.value = sortCourses(docs(snap));
        },
        failed("courses"),
      ),
    );
  } else {
    // a head lists the courses of each of their departments (what the rules allow)
    const byDepartment = new Map();
    for (const department of me.departments) {
      stops.push(
        fs.onSnapshot(
          fs.query(fs.collection(db, "courses"), fs.where("department_id", "==", department)),
          (snap) => {
            byDepartment.set(department, docs(snap));
            if (byDepartment.size === me.departments.length) {
              store.courses.value = sortCourses([...byDepartment.values()].flat());
            }
          },
          failed("courses"),
        ),
      );
    }
  }
  return () => {
    for (const stop of stops) stop();
  };
}

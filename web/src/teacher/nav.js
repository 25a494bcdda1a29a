// The dashboard's sections for institution admins and heads of department: their
// courses (under Today when they teach) and the admin page (others have only their
// courses: no navigation).

import { t } from "../i18n/index.js";
import { teaches } from "../roles.js";
import { html } from "../ui.js";

export function TeacherNav({ route, me }) {
  const current = route.view === "admin" ? "admin" : "courses";
  const link = (key, href, label) =>
    html`<a class="tab" href=${href} id=${`nav-${key}`} aria-current=${current === key ? "page" : undefined}>${label}</a>`;
  return html`<nav class="tabs page-nav" aria-label=${t("nav.label")}>
    ${link("courses", "#/", teaches(me) ? t("today.title") : t("courses.title"))} ${link("admin", "#/admin", t("nav.admin"))}
  </nav>`;
}

// The dashboard's sections for institution admins and heads of department: their
// courses and the admin page (others have only their courses: no navigation).
import { html } from "../ui.js";

export function TeacherNav({ route }) {
  const current = route.view === "admin" ? "admin" : "courses";
  const link = (key, href, label) =>
    html`<a class="tab" href=${href} id=${`nav-${key}`} aria-current=${current === key ? "page" : undefined}>${label}</a>`;
  return html`<nav class="tabs page-nav" aria-label="Dashboard">
    ${link("courses", "#/", "My courses")} ${link("admin", "#/admin", "Admin")}
  </nav>`;
}

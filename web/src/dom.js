// DOM helpers: formatting (times, days) and the element builder of the views that still
// build their DOM by hand (course-view.js, my-attendance.js, push.js; the others are
// Preact components, ui.js).
import { fmt, t } from "./i18n/index.js";

/** h("p.note", {hidden: true}, "text", child) -> element. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// Times and days in the page's language (i18n/index.js: Intl, Latin digits).
// a 24-hour clock in every language, as the timetable and the server write times
const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const CLOCK = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
const DAY = { weekday: "short", day: "numeric", month: "short" };

export function fmtTime(date) {
  return date ? fmt.date(date, TIME) : "–";
}

/** With seconds: for events that cluster within a minute (rejected scans). */
export function fmtClock(date) {
  return date ? fmt.date(date, CLOCK) : "–";
}

/** "just now", "3 min ago", else the time (today) or day and time. */
export function fmtAgo(date, now = new Date()) {
  if (!date) return "";
  const s = Math.round((now - date) / 1000);
  if (s < 45) return t("time.justNow");
  if (s < 3600) return t("time.minAgo", { count: Math.round(s / 60) });
  return now.toDateString() === date.toDateString()
    ? fmtTime(date)
    : t("time.dayTime", { day: fmtDay(date), time: fmtTime(date) });
}

export function fmtDay(date) {
  return date ? fmt.date(date, DAY) : "";
}

/** A Firestore Timestamp, Date or null as a Date or null. */
export function toDate(value) {
  if (!value) return null;
  if (value instanceof Date) return value;
  if (typeof value.toDate === "function") return value.toDate();
  return null;
}

/**
 * Coalesce calls: fn runs once, `ms` after the first call of a burst (a lecture's
 * scans arrive as bursts of snapshots; the page redraws a few times a second at most).
 * A timer, not requestAnimationFrame, so a dashboard in a background tab still updates.
 */
export function coalesce(fn, ms = 50) {
  let timer = null;
  return () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}

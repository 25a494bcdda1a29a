// The pages' languages (decision 0031): every visible string comes from a message
// catalog, one JSON file per language (en.json, hi.json, mr.json beside this module),
// read through i18next (plurals by Intl.PluralRules, {{placeholders}}). Numbers, dates
// and times go through Intl in the language's Indian locale (en-IN, hi-IN, mr-IN),
// always with Latin digits: codes, roll numbers and times are typed and compared as
// the screens show them.
//
// The language is a signal: a component that calls t() renders again when it changes.
// It is chosen by the picker (LanguagePicker), kept in localStorage and on the user's
// own document (users/{uid}.language, which the notification consumer reads); before
// any choice it follows the browser (navigator.languages). `?lang=qps` (tests only)
// wraps every catalog string in ⟦ ⟧, so a test can find text that is not from a catalog.
// English is in the page's bundle (the fallback of a missing key); Hindi and Marathi are
// fetched when picked (a chunk each), and the page switches once its catalog is here.
import { effect, signal } from "@preact/signals";
import i18next from "i18next";
import en from "./en.json" with { type: "json" };

/** The languages a user can pick: code, its own name, its Intl locale. */
export const LANGUAGES = Object.freeze([
  Object.freeze({ code: "en", name: "English", locale: "en-IN" }),
  Object.freeze({ code: "hi", name: "हिन्दी", locale: "hi-IN" }),
  Object.freeze({ code: "mr", name: "मराठी", locale: "mr-IN" }),
]);
export const CODES = Object.freeze(LANGUAGES.map((l) => l.code));
/** The catalogs not in the bundle, each fetched once when its language is picked. */
const LOADERS = {
  hi: () => import("./hi.json", { with: { type: "json" } }),
  mr: () => import("./mr.json", { with: { type: "json" } }),
};
/** The tests' pseudo-language: English wrapped in markers. Never offered by the picker. */
export const PSEUDO = "qps";
export const MARK_OPEN = "⟦";
export const MARK_CLOSE = "⟧";
const STORAGE_KEY = "rollcall.language";

function wrapAll(node) {
  if (typeof node === "string") return `${MARK_OPEN}${node}${MARK_CLOSE}`;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, wrapAll(v)]));
}

const resources = {
  en: { translation: en },
  [PSEUDO]: { translation: wrapAll(en) },
};

function stored() {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage disabled: the browser's language
  }
}

/** The language to start in: ?lang= (tests), the stored choice, the browser's, English. */
export function initialLanguage({
  search = globalThis.location?.search ?? "",
  saved = stored(),
  preferred = globalThis.navigator?.languages ?? [],
} = {}) {
  const asked = new URLSearchParams(search).get("lang");
  if (asked === PSEUDO || CODES.includes(asked)) return asked;
  if (CODES.includes(saved)) return saved;
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (CODES.includes(base)) return base;
  }
  return "en";
}

/** The page's language code (en, hi, mr, or qps in the tests): one whose catalog is here. */
export const language = signal("en");

i18next.init({
  resources,
  lng: "en",
  fallbackLng: "en",
  initAsync: false,
  interpolation: { escapeValue: false }, // Preact escapes text; the strings are never HTML
  returnNull: false,
});

effect(() => {
  const lng = language.value;
  if (i18next.language !== lng) i18next.changeLanguage(lng);
  if (globalThis.document) document.documentElement.lang = lng === PSEUDO ? "en" : lng;
});

/**
 * The string at `key` in the page's language, with `params` filled in ({{name}});
 * `count` picks the plural form. Reading the language signal makes a component that
 * calls it render again when the language changes.
 */
export function t(key, params) {
  const lng = language.value;
  return i18next.t(key, { ...params, lng });
}

/**
 * A frozen {name: text} whose texts are read from the catalogs when used (`keys`: name
 * -> catalog key), so they follow the language; a spread copies today's words.
 */
export function words(keys) {
  const props = Object.entries(keys).map(([name, key]) => [name, { enumerable: true, get: () => t(key) }]);
  return Object.freeze(Object.defineProperties({}, Object.fromEntries(props)));
}

/** {name: `${prefix}.${name}`} for each name: the catalog keys of a section. */
export function keysOf(prefix, names) {
  return Object.fromEntries(names.map((name) => [name, `${prefix}.${name}`]));
}

const loading = new Map(); // code -> Promise of its catalog being added

/** The catalog of `code` in i18next (fetched the first time). */
export function loadLanguage(code) {
  if (i18next.hasResourceBundle(code, "translation")) return Promise.resolve();
  if (!loading.has(code)) {
    const done = LOADERS[code]().then((module) => i18next.addResourceBundle(code, "translation", module.default));
    done.catch(() => loading.delete(code)); // offline: tried again at the next pick
    loading.set(code, done);
  }
  return loading.get(code);
}

let wanted = null; // the latest language asked for: an earlier, slower load does not win

/** The language the page is in or on its way to (its catalog still being fetched). */
export function chosenLanguage() {
  return wanted ?? language.peek();
}

/**
 * Change the page's language (once its catalog is here) and remember it on this browser
 * (the profile: profile.js). Resolves when the page speaks it.
 */
export async function setLanguage(code) {
  if (!CODES.includes(code) && code !== PSEUDO) return;
  wanted = code;
  if (code !== PSEUDO) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, code);
    } catch {
      // storage disabled: this page load only
    }
  }
  try {
    await loadLanguage(code);
  } catch {
    return; // the catalog could not be fetched (offline): the page stays as it is
  }
  if (wanted === code) language.value = code;
}

// the language to start in: English at once, another one as soon as its catalog is here
{
  const first = initialLanguage();
  if (first !== "en") {
    wanted = first;
    loadLanguage(first).then(
      () => {
        if (wanted === first) language.value = first;
      },
      () => {},
    );
  }
}

/** The Intl locale of the page's language, with Latin digits. */
export function locale(code = language.value) {
  const tag = LANGUAGES.find((l) => l.code === code)?.locale ?? "en-IN";
  return `${tag}-u-nu-latn`;
}

const formats = new Map();
function formatter(kind, options) {
  const loc = locale();
  const key = `${kind}|${loc}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl[kind](loc, options);
    formats.set(key, f);
  }
  return f;
}

/** Words Intl made count as translated: in the pseudo-language they are marked too. */
function marked(text) {
  return language.value === PSEUDO ? `${MARK_OPEN}${text}${MARK_CLOSE}` : text;
}

/** Intl formatters in the page's language (cached per language and options). */
export const fmt = {
  number: (n, options = {}) => formatter("NumberFormat", options).format(n),
  percent: (n, digits = 0) =>
    formatter("NumberFormat", { style: "percent", maximumFractionDigits: digits }).format(n / 100),
  date: (d, options) => marked(formatter("DateTimeFormat", options).format(d)),
  relative: (value, unit) => marked(formatter("RelativeTimeFormat", { numeric: "auto" }).format(value, unit)),
  list: (items) => marked(formatter("ListFormat", { type: "conjunction" }).format(items)),
};

// The message catalogs (decision 0031): every language has every key English has (and
// no other), the same {{placeholders}} in each message, the plural forms its language
// needs; the language is chosen as documented; Intl formats with Latin digits.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import { CODES, fmt, initialLanguage, language, PSEUDO, setLanguage, t } from "../src/i18n/index.js";

const CATALOGS = Object.fromEntries(
  CODES.map((code) => [code, JSON.parse(readFileSync(new URL(`../src/i18n/${code}.json`, import.meta.url), "utf8"))]),
);

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(node, prefix = "", out = {}) {
  for (const [k, v] of Object.entries(node)) {
    if (v && typeof v === "object") flatten(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

const flat = Object.fromEntries(CODES.map((code) => [code, flatten(CATALOGS[code])]));
const base = (key) => key.replace(PLURAL, "");
const placeholders = (text) => new Set([...String(text).matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]));

/** message (plural forms folded) -> {forms: Set, placeholders: Set} */
function messages(code) {
  const out = new Map();
  for (const [key, text] of Object.entries(flat[code])) {
    const k = base(key);
    const m = out.get(k) ?? { forms: new Set(), placeholders: new Set() };
    if (PLURAL.test(key)) m.forms.add(key.match(PLURAL)[1]);
    for (const p of placeholders(text)) m.placeholders.add(p);
    out.set(k, m);
  }
  return out;
}

const english = messages("en");

for (const code of CODES.filter((c) => c !== "en")) {
  test(`${code}: the same messages as English, no more, no fewer`, () => {
    const other = messages(code);
    assert.deepEqual(
      [...english.keys()].filter((k) => !other.has(k)),
      [],
      `${code} lacks these`,
    );
    assert.deepEqual(
      [...other.keys()].filter((k) => !english.has(k)),
      [],
      `${code} has these English has not`,
    );
  });

  test(`${code}: the same placeholders in every message`, () => {
    const other = messages(code);
    for (const [key, m] of english) {
      if (!other.has(key)) continue;
      assert.deepEqual([...other.get(key).placeholders].sort(), [...m.placeholders].sort(), `${code}: ${key}`);
    }
  });
}

for (const code of CODES) {
  test(`${code}: plural messages have every form the language needs, and no empty text`, () => {
    const rules = new Intl.PluralRules(code);
    const needed = new Set(Array.from({ length: 200 }, (_, n) => rules.select(n)));
    for (const [key, m] of messages(code)) {
      if (!m.forms.size) continue;
      for (const form of needed) assert.ok(m.forms.has(form), `${code}: ${key}_${form} missing`);
    }
    for (const [key, text] of Object.entries(flat[code]))
      assert.ok(String(text).trim() || !String(flat.en[key]).trim(), `${code}: ${key} is empty`);
  });
}

test("the catalog test itself catches a missing key and a changed placeholder", () => {
  const broken = structuredClone(CATALOGS.hi);
  delete broken.inbox.title;
  broken.result.recordedAt = "{{when}} पर दर्ज हुआ।";
  const keys = new Set(Object.keys(flatten(broken)).map(base));
  assert.ok(!keys.has("inbox.title"));
  assert.notDeepEqual(placeholders(flatten(broken)["result.recordedAt"]), placeholders(flat.en["result.recordedAt"]));
});

test("the language: ?lang=, then the stored choice, then the browser's, then English", () => {
  assert.equal(initialLanguage({ search: "?lang=mr", saved: "hi", preferred: ["en-US"] }), "mr");
  assert.equal(initialLanguage({ search: `?lang=${PSEUDO}`, saved: null, preferred: [] }), PSEUDO);
  assert.equal(initialLanguage({ search: "?lang=fr", saved: "hi", preferred: ["mr-IN"] }), "hi");
  assert.equal(initialLanguage({ search: "", saved: null, preferred: ["de-DE", "mr-IN", "en"] }), "mr");
  assert.equal(initialLanguage({ search: "", saved: null, preferred: ["de-DE"] }), "en");
});

test("t() follows the language once its catalog is here; plurals; Intl with Latin digits", async () => {
  const before = language.peek();
  try {
    const switching = setLanguage("hi");
    assert.equal(language.peek(), before, "not before the catalog is fetched");
    await switching;
    assert.equal(t("inbox.title"), "इनबॉक्स");
    assert.equal(t("outbox.waiting", { count: 2, taken: "09:00" }), "2 स्कैन भेजे जाने बाकी हैं (09:00 पर लिए)।");
    await setLanguage("mr");
    assert.equal(t("time.minAgo", { count: 5 }), "5 मिनिटांपूर्वी");
    assert.equal(fmt.number(1234.5), "1,234.5");
    assert.match(fmt.date(new Date(Date.UTC(2026, 11, 7, 3, 30)), { weekday: "short", timeZone: "UTC" }), /सोम/);
    await setLanguage(PSEUDO);
    assert.equal(t("inbox.title"), "⟦Inbox⟧");
    await setLanguage("en");
    assert.equal(t("outbox.waiting", { count: 1, taken: "09:00" }), "1 scan waiting to be sent (taken 09:00).");
  } finally {
    await setLanguage(before);
  }
});

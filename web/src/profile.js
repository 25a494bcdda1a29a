// The signed-in user's own document, users/{uid} (decision 0031): the language they
// picked (`language`, which the notification consumer reads to word their inbox and
// pushes) and the version of the notice they acknowledged (`notice: {version, at}`).
// The rules let a user write these two fields and the device tokens (push.js), nothing
// else. The page's language itself is i18n/index.js's signal; this keeps the profile
// in step with it.
import { firestore } from "./config.js";
import contracts from "./contracts.js";
import { CODES, chosenLanguage, LANGUAGES, language, PSEUDO, setLanguage, t } from "./i18n/index.js";
import { effect, html, signal } from "./ui.js";

/** The notice's current version: a higher one than acknowledged shows it again. */
export const NOTICE_VERSION = contracts.languages.notice_version;

/** {uid, loaded, language, notice: {version, at} | null, error} of the signed-in user. */
export const profile = signal({ uid: null, loaded: false, language: null, notice: null, error: null });

async function userDoc(uid) {
  const { fs, db } = await firestore();
  return { fs, ref: fs.doc(db, "users", uid) };
}

/**
 * Read the user's document once at sign-in: a language stored there wins over the
 * browser's (unless the URL asks for one: tests); none stored yet, the page's is.
 */
export async function loadProfile(uid, { urlAsked = new URLSearchParams(location.search).has("lang") } = {}) {
  profile.value = { uid, loaded: false, language: null, notice: null, error: null };
  try {
    const { fs, ref } = await userDoc(uid);
    const snap = await fs.getDoc(ref);
    if (profile.peek().uid !== uid) return;
    const data = snap.exists() ? snap.data() : {};
    const stored = CODES.includes(data.language) ? data.language : null;
    profile.value = { uid, loaded: true, language: stored, notice: data.notice ?? null, error: null };
    if (stored && !urlAsked) setLanguage(stored);
    else if (!stored) saveLanguage(chosenLanguage()).catch(() => {}); // stored at the next pick
  } catch (err) {
    // offline, or Firestore not reachable: the page goes on in its language, no notice
    if (profile.peek().uid === uid)
      profile.value = { ...profile.peek(), error: String(err.code ?? err.message ?? err) };
  }
}

export function forgetProfile() {
  profile.value = { uid: null, loaded: false, language: null, notice: null, error: null };
}

/** Store the language on the signed-in user's document (nothing when signed out). */
export async function saveLanguage(code) {
  const { uid, language: stored } = profile.peek();
  if (!uid || code === PSEUDO || !CODES.includes(code) || code === stored) return;
  const { fs, ref } = await userDoc(uid);
  await fs.setDoc(ref, { language: code }, { merge: true });
  if (profile.peek().uid === uid) profile.value = { ...profile.peek(), language: code };
}

/** Whether the signed-in user still has to see the notice (its version is newer). */
export function noticeDue(p = profile.value) {
  return p.loaded && !p.error && (p.notice?.version ?? 0) < NOTICE_VERSION;
}

/** Record that the user read the notice of this version (at: the server's time). */
export async function acknowledgeNotice() {
  const { uid } = profile.peek();
  if (!uid) return;
  const { fs, ref } = await userDoc(uid);
  await fs.setDoc(ref, { notice: { version: NOTICE_VERSION, at: fs.serverTimestamp() } }, { merge: true });
  if (profile.peek().uid === uid) profile.value = { ...profile.peek(), notice: { version: NOTICE_VERSION } };
}

// a language picked while signed in goes to the profile too
effect(() => {
  const code = language.value;
  if (profile.peek().loaded) saveLanguage(code).catch(() => {});
});

/** The language picker of the top bar (both pages): each language in its own script. */
export function LanguagePicker({ id = "language" }) {
  const current = language.value;
  return html`<label class="lang-picker">
    <span class="visually-hidden">${t("common.language")}</span>
    <select id=${id} onChange=${(ev) => setLanguage(ev.currentTarget.value)}>
      ${LANGUAGES.map(
        (l) =>
          html`<option key=${l.code} value=${l.code} lang=${l.code} translate=${false} selected=${l.code === current}>
            ${l.name}
          </option>`,
      )}
      ${current === PSEUDO ? html`<option value=${PSEUDO} selected translate=${false}>qps</option>` : null}
    </select>
  </label>`;
}

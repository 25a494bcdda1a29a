// Push notifications on the student page (decision 0010): "Turn on notifications"
// asks for the browser's permission, gets this phone's device token and stores it in
// the student's users/{uid} document as a key of the fcm_tokens map (token ->
// {platform, push, updated_at}), where the notify consumer finds it; "Turn off"
// removes it. The firestore.rules let a student change nothing else there.
//
// Where the token comes from depends on the runtime config's `messaging` field:
//   {vapidKey: "..."}  production: FCM's getToken (firebase/messaging, loaded on demand)
//                      with that VAPID key and the page's service worker registration,
//                      which shows the pushes (sw.js);
//   {local: true}      the local stack, which has no FCM: a random "local-web-<uuid>"
//                      token, stored the same way; the FCM stand-in accepts it and
//                      records what it was sent (GET /messages). No push reaches the
//                      browser locally.
//   absent             push is not set up: the control is not shown.
// FCM may hand out a new token at any time: every visit asks again and a new token
// replaces the old one in one write. What this phone registered for whom is kept in
// localStorage (PushRecord), so "Turn off" knows which key to remove.
import { firestore } from "./config.js";
import { h } from "./dom.js";
import { t } from "./i18n/index.js";
import { activeRegistration } from "./pwa.js";

export const PUSH_STORAGE_KEY = "rollcall.push.v1";
/** A token unchanged this long is written again (its updated_at shows it is alive). */
export const RESAVE_MS = 7 * 24 * 3600 * 1000;

/** "fcm", "local", or null (push not configured) for a runtime config. */
export function pushMode(config) {
  const messaging = config?.messaging;
  if (!messaging || typeof messaging !== "object") return null;
  if (messaging.local === true) return "local";
  if (typeof messaging.vapidKey === "string" && messaging.vapidKey) return "fcm";
  return null;
}

/** A device token for the local stack (the FCM stand-in accepts any token without an error prefix). */
export function localToken(uuid = () => crypto.randomUUID()) {
  return `local-web-${uuid()}`;
}

/**
 * The fcm_tokens fields to merge into users/{uid}: `next` in with `value`, `previous`
 * (a token it replaces) out with the `remove` sentinel (Firestore's deleteField()).
 */
export function tokenFields({ next = null, previous = null, value, remove }) {
  const fields = {};
  if (previous && previous !== next) fields[previous] = remove;
  if (next) fields[next] = value;
  return fields;
}

/** Whether a registered token must be written: it changed, or was last written long ago. */
export function needsSave(record, token, now = Date.now()) {
  return !record || record.token !== token || !(now - (record.saved_at ?? 0) < RESAVE_MS);
}

/**
 * What the control shows: "unavailable" (not configured: nothing shown), "unsupported",
 * "blocked" (the student said no, or the browser did), "on", "off".
 */
export function pushStatus({ mode, supported, permission, record }) {
  if (!mode) return "unavailable";
  if (!supported) return "unsupported";
  if (permission === "denied") return "blocked";
  return record && record.mode === mode && permission === "granted" ? "on" : "off";
}

/** What this phone registered, per student: {[uid]: {token, mode, saved_at}}. */
export class PushRecord {
  constructor(storage = globalThis.localStorage, key = PUSH_STORAGE_KEY) {
    this.storage = storage;
    this.key = key;
  }

  all() {
    try {
      const all = JSON.parse(this.storage?.getItem(this.key) ?? "null");
      return all && typeof all === "object" ? all : {};
    } catch {
      return {};
    }
  }

  get(uid) {
    return this.all()[uid] ?? null;
  }

  set(uid, record) {
    this.storage?.setItem(this.key, JSON.stringify({ ...this.all(), [uid]: record }));
  }

  delete(uid) {
    const all = this.all();
    delete all[uid];
    this.storage?.setItem(this.key, JSON.stringify(all));
  }
}

// ---- the browser side ---------------------------------------------------------------

const records = new PushRecord(safeStorage());
const synced = new Set(); // uids whose token was checked on this visit

function safeStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: the control still works for this visit
  }
}

function supported(mode) {
  if (typeof Notification === "undefined") return false;
  return mode !== "fcm" || ("serviceWorker" in navigator && "PushManager" in globalThis);
}

function permission() {
  return typeof Notification === "undefined" ? "denied" : Notification.permission;
}

async function messagingApi(ctx) {
  const m = await import("firebase/messaging");
  if (!(await m.isSupported())) throw new Error("this browser does not support web push");
  return { m, messaging: m.getMessaging(ctx.app) };
}

/** This phone's token: FCM's (production), or the one made up earlier (local) or a new one. */
async function deviceToken(ctx, mode, record) {
  if (mode === "local") return record?.mode === "local" ? record.token : localToken();
  const registration = await activeRegistration();
  if (!registration) throw new Error("the page's service worker is not running; reload the page and try again");
  const { m, messaging } = await messagingApi(ctx);
  return m.getToken(messaging, { vapidKey: ctx.config.messaging.vapidKey, serviceWorkerRegistration: registration });
}

async function writeTokens(uid, fields) {
  const { db, fs } = await firestore();
  await fs.setDoc(fs.doc(db, "users", uid), { fcm_tokens: fields }, { merge: true });
  return fs;
}

async function save(uid, mode, token, previous) {
  const { fs } = await firestore();
  await writeTokens(
    uid,
    tokenFields({
      next: token,
      previous,
      value: { platform: "web", push: mode, updated_at: fs.serverTimestamp() },
      remove: fs.deleteField(),
    }),
  );
  records.set(uid, { token, mode, saved_at: Date.now() });
}

async function remove(ctx, uid) {
  const record = records.get(uid);
  if (record?.token) {
    const { fs } = await firestore();
    await writeTokens(uid, tokenFields({ previous: record.token, remove: fs.deleteField() }));
  }
  records.delete(uid);
  if (record?.mode === "fcm") {
    try {
      const { m, messaging } = await messagingApi(ctx);
      await m.deleteToken(messaging); // and the push subscription with it
    } catch {
      // the key is gone from users/{uid}: nothing is sent here any more
    }
  }
}

/** Once per visit: a new FCM token replaces the old; no permission any more removes it. */
async function sync(ctx, uid, mode) {
  const record = records.get(uid);
  if (!record || synced.has(uid)) return;
  synced.add(uid);
  try {
    if (record.mode !== mode || permission() !== "granted") return await remove(ctx, uid);
    const token = mode === "fcm" ? await deviceToken(ctx, mode, record) : record.token;
    if (needsSave(record, token)) await save(uid, mode, token, record.token);
  } catch (err) {
    synced.delete(uid); // offline, most likely: next time
    console.warn("Rollcall: could not refresh the notification token.", err);
  }
}

/**
 * The "Notifications" card of the check-in view for a signed-in student, or null when
 * the runtime config does not set up push. ctx: {config, app} from config.js.
 */
export function notificationsCard(ctx, user) {
  const mode = pushMode(ctx.config);
  const uid = user.uid;
  if (!mode) return null;
  const text = h("p", { id: "notify-text" });
  const note = h("p.muted.small", { id: "notify-note" });
  const error = h("p.form-error", { id: "notify-error", role: "alert" });
  const button = h("button.btn", { type: "button", id: "notify-toggle" });
  const card = h(
    "section.card.notify",
    { id: "notify", "aria-labelledby": "notify-title", "aria-busy": "false" },
    h("h2", { id: "notify-title" }, t("push.title")),
    text,
    note,
    error,
    button,
  );

  function render(message = "") {
    const status = pushStatus({ mode, supported: supported(mode), permission: permission(), record: records.get(uid) });
    card.dataset.state = status;
    card.setAttribute("aria-busy", "false");
    text.textContent = t(`push.text.${status}`);
    note.textContent = status === "on" && mode === "local" ? t("push.local") : "";
    note.hidden = !note.textContent;
    error.textContent = message;
    button.hidden = status === "unsupported";
    button.disabled = false;
    button.textContent = { on: t("push.turnOff"), blocked: t("common.tryAgain") }[status] ?? t("push.turnOn");
    button.onclick = status === "on" ? turnOff : turnOn;
  }

  function busy(label) {
    card.dataset.state = "busy";
    card.setAttribute("aria-busy", "true");
    error.textContent = "";
    button.disabled = true;
    button.textContent = label;
  }

  async function turnOn() {
    if (navigator.onLine === false) return render(t("push.offlineOn"));
    busy(t("push.turningOn"));
    let answer;
    try {
      answer = await Notification.requestPermission(); // first: it needs the click
    } catch {
      answer = permission();
    }
    if (answer !== "granted") return render(answer === "denied" ? "" : t("push.notAllowed"));
    try {
      const record = records.get(uid);
      const token = await deviceToken(ctx, mode, record);
      await save(uid, mode, token, record?.token);
      synced.add(uid);
      render();
    } catch (err) {
      render(t("push.onFailed", { error: err?.code ?? err?.message ?? err }));
    }
  }

  async function turnOff() {
    if (navigator.onLine === false) return render(t("push.offlineOff"));
    busy(t("push.turningOff"));
    try {
      await remove(ctx, uid);
      render();
    } catch (err) {
      render(t("push.offFailed", { error: err?.code ?? err?.message ?? err }));
    }
  }

  render();
  sync(ctx, uid, mode).then(() => card.isConnected && card.dataset.state !== "busy" && render());
  return card;
}

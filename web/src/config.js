// Runtime configuration and Firebase initialisation, shared by both pages.
//
// One build serves the demo stack, the test stack (other ports) and production: the
// settings are read at run time from window.ROLLCALL_CONFIG (tests inject it) or else
// from /rollcall-config.json on the same origin (production replaces that file at
// deploy time). Shape:
//   { firebase: {apiKey, authDomain, projectId, appId, messagingSenderId?}, scanUrl: "...",
//     emulators: {auth: "http://host:port", firestore: {host, port}} | null,
//     messaging?: {vapidKey: "..."} | {local: true} }
// `messaging` is optional and sets up push on the student page (push.js, decision 0010):
// vapidKey is the web push certificate's public key (Firebase console, Cloud Messaging;
// FCM also needs firebase.messagingSenderId); {local: true} is the local stack, whose
// FCM stand-in takes a made-up device token; without it the page offers no push.
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth } from "firebase/auth";

let configPromise;
let firebasePromise;
let firestorePromise;

export function loadConfig() {
  configPromise ??= (async () => {
    if (window.ROLLCALL_CONFIG) return validate(window.ROLLCALL_CONFIG);
    const resp = await fetch("/rollcall-config.json", { cache: "no-cache" });
    if (!resp.ok) throw new Error(`cannot load /rollcall-config.json (HTTP ${resp.status})`);
    return validate(await resp.json());
  })();
  return configPromise;
}

function validate(config) {
  if (!config?.firebase?.apiKey || !config.scanUrl) {
    throw new Error("Rollcall configuration is incomplete (firebase.apiKey and scanUrl are required)");
  }
  return config;
}

/** The Firebase app and Auth, connected to the emulators when the config says so. */
export function firebase() {
  firebasePromise ??= (async () => {
    const config = await loadConfig();
    const app = initializeApp(config.firebase);
    const auth = getAuth(app);
    if (config.emulators?.auth) {
      connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
    }
    return { config, app, auth };
  })();
  return firebasePromise;
}

/**
 * Firestore, loaded on demand (its chunk is the largest): the pages load it once signed
 * in. A load that fails (the phone went offline before the chunk arrived) is not kept:
 * the next call tries again.
 */
export function firestore() {
  firestorePromise ??= (async () => {
    const [{ config, app }, fs] = await Promise.all([firebase(), import("firebase/firestore")]);
    const db = fs.getFirestore(app);
    const emu = config.emulators?.firestore;
    if (!emu) return { db, fs };
    fs.connectFirestoreEmulator(db, emu.host, Number(emu.port));
    return { db, fs: { ...fs, onSnapshot: releasedOnPagehide(fs.onSnapshot) } };
  })();
  firestorePromise.catch(() => {
    firestorePromise = null;
  });
  return firestorePromise;
}

/**
 * The Firestore emulator keeps a page's listeners after the page has gone (it forgets
 * one only when told to stop listening; a closed connection or terminate() does not
 * tell it) and evaluates every one at each write thereafter, so a local stack slowed as
 * pages came and went (decision 0037). On the emulator a page stops its listeners at
 * `pagehide`, and says on the event how many it stopped (`listenersStopped`).
 */
function releasedOnPagehide(onSnapshot) {
  const live = new Set();
  addEventListener("pagehide", (ev) => {
    if (ev.persisted) return;
    ev.listenersStopped = live.size;
    for (const stop of [...live]) stop();
  });
  return (...args) => {
    const unsubscribe = onSnapshot(...args);
    const stop = () => {
      live.delete(stop);
      unsubscribe();
    };
    live.add(stop);
    return stop;
  };
}

// Sign-in, shared by the dashboard and the scan page: email/password always, and
// "Continue with Google" when the runtime config says the Google provider is enabled
// (signIn.google: the Auth emulator locally; in production when Terraform got an OAuth
// client, see README "Deploy"). A popup on a laptop; a redirect where popups are
// blocked (phones in standalone mode, strict browsers).
import {
  GoogleAuthProvider,
  onAuthStateChanged,
  signInWithEmailAndPassword,
  signInWithPopup,
  signInWithRedirect,
  signOut,
} from "firebase/auth";

import { loadConfig } from "./config.js";
import { html, useEffect, useRef, useState } from "./ui.js";

const AUTH_ERRORS = {
  "auth/invalid-credential": "Wrong email or password.",
  "auth/invalid-login-credentials": "Wrong email or password.",
  "auth/wrong-password": "Wrong email or password.",
  "auth/user-not-found": "Wrong email or password.",
  "auth/invalid-email": "That is not a valid email address.",
  "auth/user-disabled": "This account is disabled.",
  "auth/too-many-requests": "Too many attempts. Wait a minute and try again.",
  "auth/network-request-failed": "No connection to the sign-in service. Check your network.",
  "auth/popup-closed-by-user": "The Google window was closed before signing in.",
  "auth/cancelled-popup-request": "The Google window was closed before signing in.",
  "auth/account-exists-with-different-credential":
    "This email already signs in with a password: use it, or ask to link Google to it.",
  "auth/operation-not-allowed": "Google sign-in is not enabled for this site.",
  "auth/unauthorized-domain": "Google sign-in is not allowed from this address.",
};

/** The SDK could not load Google's sign-in scripts (offline, or a blocked apis.google.com). */
const GOOGLE_UNREACHABLE = new Set(["auth/internal-error", "auth/network-request-failed"]);

/** Popups that the browser refused: fall back to a full-page redirect. */
export const POPUP_REFUSED = new Set(["auth/popup-blocked", "auth/operation-not-supported-in-this-environment"]);

export function authErrorMessage(err) {
  return AUTH_ERRORS[err?.code] ?? `Sign-in failed (${err?.code ?? err?.message ?? err}).`;
}

/**
 * The sign-in form (no onSignedIn: onAuthStateChanged fires). data-providers says which
 * methods it offers once the runtime config is read.
 */
export function SignInForm({ auth, title, intro }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState(null); // null until the config is read
  const email = useRef(null);
  const password = useRef(null);
  useEffect(() => {
    let live = true;
    loadConfig()
      .then((config) => live && setProviders(config.signIn?.google ? "password google" : "password"))
      .catch(() => {}); // the page shows the configuration error itself
    email.current?.focus();
    return () => {
      live = false;
    };
  }, []);

  async function submit(ev) {
    ev.preventDefault();
    setError("");
    setBusy(true);
    try {
      await signInWithEmailAndPassword(auth, email.current.value.trim(), password.current.value);
    } catch (err) {
      setError(authErrorMessage(err));
      password.current?.select();
    } finally {
      setBusy(false);
    }
  }

  return html`<form
    class="card signin"
    aria-labelledby="signin-title"
    aria-describedby="signin-error"
    data-providers=${providers ?? undefined}
    onSubmit=${submit}
  >
    <h1 id="signin-title">${title}</h1>
    ${intro ? html`<p class="muted">${intro}</p>` : null}
    <label for="signin-email">Email</label>
    <input
      ref=${email}
      id="signin-email"
      name="email"
      type="email"
      autocomplete="username"
      required
      inputmode="email"
      autocapitalize="none"
      spellcheck="false"
    />
    <label for="signin-password">Password</label>
    <input ref=${password} id="signin-password" name="password" type="password" autocomplete="current-password" required />
    <p class="form-error" role="alert" id="signin-error">${error}</p>
    <button class="btn btn-primary" type="submit" id="signin-submit" disabled=${busy}>
      ${busy ? "Signing in…" : "Sign in"}
    </button>
    ${providers?.includes("google") ? html`<${GoogleButton} auth=${auth} setError=${setError} />` : null}
  </form>`;
}

function GoogleButton({ auth, setError }) {
  const [busy, setBusy] = useState(false);
  async function click() {
    setError("");
    setBusy(true);
    const provider = new GoogleAuthProvider();
    provider.setCustomParameters({ prompt: "select_account" });
    try {
      await signInWithPopup(auth, provider);
    } catch (err) {
      if (POPUP_REFUSED.has(err?.code)) {
        await signInWithRedirect(auth, provider);
        return;
      }
      setError(
        GOOGLE_UNREACHABLE.has(err?.code)
          ? "Could not reach Google sign-in. Check the connection, or sign in with email and password."
          : authErrorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="signin-alt">
    <p class="or muted">or</p>
    <button class="btn btn-google" type="button" id="signin-google" disabled=${busy} onClick=${click}>
      Continue with Google
    </button>
  </div>`;
}

/** Who is signed in, and "Sign out" (the top bar's account area). */
export function Account({ auth, user }) {
  if (!user) return null;
  return html`<span class="who">${user.email ?? user.uid}</span>
    <button class="btn btn-quiet" type="button" id="signout" onClick=${() => signOut(auth)}>Sign out</button>`;
}

/** Calls render(user|null) on every auth change; returns the unsubscribe function. */
export function watchUser(auth, render) {
  return onAuthStateChanged(auth, render);
}

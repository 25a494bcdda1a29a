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
import { h } from "./dom.js";

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

/** A sign-in form element. onSignedIn is not needed: onAuthStateChanged fires. */
export function signInForm(auth, { title, intro }) {
  const error = h("p.form-error", { role: "alert", id: "signin-error" });
  const email = h("input", {
    id: "signin-email",
    name: "email",
    type: "email",
    autocomplete: "username",
    required: true,
    inputmode: "email",
    autocapitalize: "none",
    spellcheck: "false",
  });
  const password = h("input", {
    id: "signin-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button.btn.btn-primary", { type: "submit", id: "signin-submit" }, "Sign in");
  const form = h(
    "form.card.signin",
    {
      "aria-labelledby": "signin-title",
      "aria-describedby": "signin-error",
      async onsubmit(ev) {
        ev.preventDefault();
        error.textContent = "";
        submit.disabled = true;
        submit.textContent = "Signing in…";
        try {
          await signInWithEmailAndPassword(auth, email.value.trim(), password.value);
        } catch (err) {
          error.textContent = authErrorMessage(err);
          password.select();
        } finally {
          submit.disabled = false;
          submit.textContent = "Sign in";
        }
      },
    },
    h("h1", { id: "signin-title" }, title),
    intro ? h("p.muted", {}, intro) : null,
    h("label", { for: "signin-email" }, "Email"),
    email,
    h("label", { for: "signin-password" }, "Password"),
    password,
    error,
    submit,
  );
  // data-providers says which sign-in methods the form offers, once the config is read
  loadConfig()
    .then((config) => {
      const google = !!config.signIn?.google;
      if (google) form.append(googleButton(auth, error));
      form.dataset.providers = google ? "password google" : "password";
    })
    .catch(() => {}); // the page shows the configuration error itself
  return form;
}

function googleButton(auth, error) {
  const button = h(
    "button.btn.btn-google",
    {
      type: "button",
      id: "signin-google",
      async onclick() {
        error.textContent = "";
        button.disabled = true;
        const provider = new GoogleAuthProvider();
        provider.setCustomParameters({ prompt: "select_account" });
        try {
          await signInWithPopup(auth, provider);
        } catch (err) {
          if (POPUP_REFUSED.has(err?.code)) {
            await signInWithRedirect(auth, provider);
            return;
          }
          error.textContent = GOOGLE_UNREACHABLE.has(err?.code)
            ? "Could not reach Google sign-in. Check the connection, or sign in with email and password."
            : authErrorMessage(err);
        } finally {
          button.disabled = false;
        }
      },
    },
    "Continue with Google",
  );
  return h("div.signin-alt", {}, h("p.or.muted", {}, "or"), button);
}

export function signOutButton(auth) {
  return h("button.btn.btn-quiet", { type: "button", id: "signout", onclick: () => signOut(auth) }, "Sign out");
}

/** Calls render(user|null) on every auth change; returns the unsubscribe function. */
export function watchUser(auth, render) {
  return onAuthStateChanged(auth, render);
}

// Email/password sign-in, shared by the dashboard and the scan page.
import { onAuthStateChanged, signInWithEmailAndPassword, signOut } from "firebase/auth";

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
};

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
  return form;
}

export function signOutButton(auth) {
  return h(
    "button.btn.btn-quiet",
    { type: "button", id: "signout", onclick: () => signOut(auth) },
    "Sign out",
  );
}

/** Calls render(user|null) on every auth change; returns the unsubscribe function. */
export function watchUser(auth, render) {
  return onAuthStateChanged(auth, render);
}

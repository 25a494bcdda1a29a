// Sign-in, shared by the dashboard and the scan page: email/password always (with
// "Create an account", which sends Firebase's verification email, and "Forgot
// password?"), and "Continue with Google" when the runtime config says the Google
// provider is enabled (signIn.google: the Auth emulator locally; in production when
// Terraform got an OAuth client, see README "Deploy"). A popup on a laptop; a
// redirect where popups are blocked (phones in standalone mode, strict browsers).
// A signed-in account whose email is not verified yet sees verify-email.js.
import {
  createUserWithEmailAndPassword,
  GoogleAuthProvider,
  onAuthStateChanged,
  sendEmailVerification,
  sendPasswordResetEmail,
  signInWithEmailAndPassword,
  signInWithPopup,
  signInWithRedirect,
  signOut,
} from "firebase/auth";

import { loadConfig } from "./config.js";
import { t } from "./i18n/index.js";
import { html, useEffect, useRef, useState } from "./ui.js";

/** Firebase Auth's error codes -> their message in the catalogs (auth.errors.*). */
const AUTH_ERRORS = {
  "auth/invalid-credential": "invalid_credential",
  "auth/invalid-login-credentials": "invalid_credential",
  "auth/wrong-password": "invalid_credential",
  "auth/user-not-found": "invalid_credential",
  "auth/invalid-email": "invalid_email",
  "auth/missing-email": "missing_email",
  "auth/missing-password": "missing_password",
  "auth/user-disabled": "user_disabled",
  "auth/too-many-requests": "too_many_requests",
  "auth/network-request-failed": "network_request_failed",
  "auth/email-already-in-use": "email_already_in_use",
  "auth/weak-password": "weak_password",
  "auth/password-does-not-meet-requirements": "password_does_not_meet_requirements",
  "auth/popup-closed-by-user": "popup_closed_by_user",
  "auth/cancelled-popup-request": "popup_closed_by_user",
  "auth/account-exists-with-different-credential": "account_exists_with_different_credential",
  "auth/operation-not-allowed": "operation_not_allowed",
  "auth/unauthorized-domain": "unauthorized_domain",
};

/** The SDK could not load Google's sign-in scripts (offline, or a blocked apis.google.com). */
const GOOGLE_UNREACHABLE = new Set(["auth/internal-error", "auth/network-request-failed"]);

/** Popups that the browser refused: fall back to a full-page redirect. */
export const POPUP_REFUSED = new Set(["auth/popup-blocked", "auth/operation-not-supported-in-this-environment"]);

/** Firebase refused the link back to this page (a domain not authorised): send the mail without it. */
const CONTINUE_URL_REFUSED = new Set([
  "auth/unauthorized-continue-uri",
  "auth/invalid-continue-uri",
  "auth/missing-continue-uri",
]);

export function authErrorMessage(err) {
  const key = AUTH_ERRORS[err?.code];
  return key ? t(`auth.errors.${key}`) : t("auth.failed", { code: err?.code ?? err?.message ?? err });
}

/** The emailed link brings the person back to this page once used. */
function actionSettings() {
  return { url: `${location.origin}${location.pathname}` };
}

async function withContinueUrl(send) {
  try {
    await send(actionSettings());
  } catch (err) {
    if (!CONTINUE_URL_REFUSED.has(err?.code)) throw err;
    await send(undefined);
  }
}

/** Firebase's verification email to the signed-in user. */
export function sendVerification(user) {
  return withContinueUrl((settings) => sendEmailVerification(user, settings));
}

// The email of an account this page is creating: its verification screen sends the
// verification email once the account exists (auth-state listeners see the new user
// before createUserWithEmailAndPassword returns).
let signingUp = null;

/** Whether `email`'s account was just created here (asked once: the mail is sent once). */
export function takeSignUp(email) {
  const mine = !!email && signingUp === email.toLowerCase();
  if (mine) signingUp = null;
  return mine;
}

const TITLES = { signup: "auth.signupTitle", reset: "auth.resetTitle" };

/**
 * The sign-in form (no onSignedIn: onAuthStateChanged fires), which also creates an
 * account and sends a password reset link: data-mode is signin, signup, reset or
 * reset-sent. data-providers says which methods it offers once the config is read.
 */
export function SignInForm({ auth, title, intro }) {
  const [mode, setMode] = useState("signin");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState("");
  const [providers, setProviders] = useState(null); // null until the config is read
  const email = useRef(null);
  const password = useRef(null);
  const typed = useRef(""); // the email, kept across modes (the field itself stays, but not on reset-sent)
  useEffect(() => {
    let live = true;
    loadConfig()
      .then((config) => live && setProviders(config.signIn?.google ? "password google" : "password"))
      .catch(() => {}); // the page shows the configuration error itself
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    email.current?.focus();
  }, [mode]);

  function go(next) {
    typed.current = email.current?.value ?? typed.current;
    setError("");
    setMode(next);
  }

  async function submit(ev) {
    ev.preventDefault();
    const address = email.current.value.trim();
    typed.current = address;
    setError("");
    setBusy(true);
    try {
      if (mode === "signin") {
        await signInWithEmailAndPassword(auth, address, password.current.value);
      } else if (mode === "signup") {
        signingUp = address.toLowerCase();
        await createUserWithEmailAndPassword(auth, address, password.current.value);
      } else if (mode === "reset") {
        try {
          await withContinueUrl((settings) => sendPasswordResetEmail(auth, address, settings));
        } catch (err) {
          // the same answer whether or not the address has an account
          if (err?.code !== "auth/user-not-found") throw err;
        }
        setSentTo(address);
        setMode("reset-sent");
      }
    } catch (err) {
      if (mode === "signup") signingUp = null;
      setError(authErrorMessage(err));
      if (mode !== "reset") password.current?.select();
    } finally {
      setBusy(false);
    }
  }

  if (mode === "reset-sent") {
    return html`<section class="card signin" aria-labelledby="signin-title" data-mode="reset-sent" id="reset-sent">
      <h1 id="signin-title">${t("auth.checkInbox")}</h1>
      <p role="status">
        ${t("auth.resetSentBefore")}<strong class="break" translate=${false}>${sentTo}</strong>${t("auth.resetSentAfter")}
      </p>
      <p class="muted small">${t("auth.noEmail")}</p>
      <button class="btn btn-primary" type="button" id="signin-open" onClick=${() => go("signin")}>
        ${t("auth.backToSignIn")}
      </button>
      <button class="btn btn-quiet" type="button" id="reset-open" onClick=${() => go("reset")}>
        ${t("auth.sendAgain")}
      </button>
    </section>`;
  }

  const submitLabel = {
    signin: busy ? t("auth.signingIn") : t("auth.signIn"),
    signup: busy ? t("auth.creating") : t("auth.createAccount"),
    reset: busy ? t("common.sending") : t("auth.sendReset"),
  }[mode];
  return html`<form
    class="card signin"
    aria-labelledby="signin-title"
    aria-describedby="signin-error"
    data-mode=${mode}
    data-providers=${providers ?? undefined}
    onSubmit=${submit}
  >
    <h1 id="signin-title">${TITLES[mode] ? t(TITLES[mode]) : title}</h1>
    ${
      mode === "signin" && intro
        ? html`<p class="muted">${intro}</p>`
        : mode === "signup"
          ? html`<p class="muted">${t("auth.signupIntro")}</p>`
          : mode === "reset"
            ? html`<p class="muted">${t("auth.resetIntro")}</p>`
            : null
    }
    <label for="signin-email">${t("auth.email")}</label>
    <input
      ref=${email}
      id="signin-email"
      name="email"
      defaultValue=${typed.current}
      type="email"
      autocomplete="username"
      required
      inputmode="email"
      autocapitalize="none"
      spellcheck="false"
    />
    ${
      mode === "reset"
        ? null
        : html`<label for="signin-password">${t("auth.password")}</label>
            <input
              ref=${password}
              id="signin-password"
              name="password"
              type="password"
              autocomplete=${mode === "signup" ? "new-password" : "current-password"}
              minlength=${mode === "signup" ? 6 : undefined}
              aria-describedby=${mode === "signup" ? "password-hint" : undefined}
              required
            />
            ${mode === "signup" ? html`<span class="muted small" id="password-hint">${t("auth.passwordHint")}</span>` : null}`
    }
    ${
      mode === "signin"
        ? html`<button class="link-button forgot" type="button" id="reset-open" onClick=${() => go("reset")}>
            ${t("auth.forgot")}
          </button>`
        : null
    }
    <p class="form-error" role="alert" id="signin-error">${error}</p>
    <button class="btn btn-primary" type="submit" id="signin-submit" disabled=${busy}>${submitLabel}</button>
    ${mode === "signin" && providers?.includes("google") ? html`<${GoogleButton} auth=${auth} setError=${setError} />` : null}
    <p class="signin-switch">
      ${
        mode === "signin"
          ? html`${t("auth.newHere")}${" "}
              <button class="link-button" type="button" id="signup-open" onClick=${() => go("signup")}>
                ${t("auth.createAnAccount")}
              </button>`
          : html`${mode === "signup" ? t("auth.haveAccount") : t("auth.remembered")}${" "}
              <button class="link-button" type="button" id="signin-open" onClick=${() => go("signin")}>
                ${t("auth.signIn")}
              </button>`
      }
    </p>
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
      setError(GOOGLE_UNREACHABLE.has(err?.code) ? t("auth.googleUnreachable") : authErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="signin-alt">
    <p class="or muted">${t("auth.or")}</p>
    <button class="btn btn-google" type="button" id="signin-google" disabled=${busy} onClick=${click}>
      ${t("auth.google")}
    </button>
  </div>`;
}

/** Who is signed in, and "Sign out" (the top bar's account area). */
export function Account({ auth, user }) {
  if (!user) return null;
  return html`<span class="who" translate=${false}>${user.email ?? user.uid}</span>
    <button class="btn btn-quiet" type="button" id="signout" onClick=${() => signOut(auth)}>${t("common.signOut")}</button>`;
}

/** Calls render(user|null) on every auth change; returns the unsubscribe function. */
export function watchUser(auth, render) {
  return onAuthStateChanged(auth, render);
}

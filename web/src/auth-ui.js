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
import { html, useEffect, useRef, useState } from "./ui.js";

const AUTH_ERRORS = {
  "auth/invalid-credential": "Wrong email or password.",
  "auth/invalid-login-credentials": "Wrong email or password.",
  "auth/wrong-password": "Wrong email or password.",
  "auth/user-not-found": "Wrong email or password.",
  "auth/invalid-email": "That is not a valid email address.",
  "auth/missing-email": "Enter your email address.",
  "auth/missing-password": "Enter a password.",
  "auth/user-disabled": "This account is disabled.",
  "auth/too-many-requests": "Too many attempts. Wait a minute and try again.",
  "auth/network-request-failed": "No connection to the sign-in service. Check your network.",
  "auth/email-already-in-use": "An account with this email exists already: sign in, or reset its password.",
  "auth/weak-password": "Choose a longer password: at least 6 characters.",
  "auth/password-does-not-meet-requirements": "That password does not meet this site's password rules.",
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

/** Firebase refused the link back to this page (a domain not authorised): send the mail without it. */
const CONTINUE_URL_REFUSED = new Set([
  "auth/unauthorized-continue-uri",
  "auth/invalid-continue-uri",
  "auth/missing-continue-uri",
]);

export function authErrorMessage(err) {
  return AUTH_ERRORS[err?.code] ?? `Sign-in failed (${err?.code ?? err?.message ?? err}).`;
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

const TITLES = { signup: "Create your account", reset: "Reset your password" };

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
      <h1 id="signin-title">Check your inbox</h1>
      <p role="status">
        If <strong class="break">${sentTo}</strong> has an account, we sent it a link to choose a new password. Open
        the link, choose a password, then sign in here with it.
      </p>
      <p class="muted small">No email after a few minutes? Look in your spam folder, or send the link again.</p>
      <button class="btn btn-primary" type="button" id="signin-open" onClick=${() => go("signin")}>
        Back to sign in
      </button>
      <button class="btn btn-quiet" type="button" id="reset-open" onClick=${() => go("reset")}>
        Send the link again
      </button>
    </section>`;
  }

  const submitLabel = {
    signin: busy ? "Signing in…" : "Sign in",
    signup: busy ? "Creating your account…" : "Create account",
    reset: busy ? "Sending…" : "Send reset link",
  }[mode];
  return html`<form
    class="card signin"
    aria-labelledby="signin-title"
    aria-describedby="signin-error"
    data-mode=${mode}
    data-providers=${providers ?? undefined}
    onSubmit=${submit}
  >
    <h1 id="signin-title">${TITLES[mode] ?? title}</h1>
    ${
      mode === "signin" && intro
        ? html`<p class="muted">${intro}</p>`
        : mode === "signup"
          ? html`<p class="muted">Use the email your institution has for you: your courses come with it.</p>`
          : mode === "reset"
            ? html`<p class="muted">We will email you a link to choose a new password.</p>`
            : null
    }
    <label for="signin-email">Email</label>
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
        : html`<label for="signin-password">Password</label>
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
            ${mode === "signup" ? html`<span class="muted small" id="password-hint">At least 6 characters.</span>` : null}`
    }
    ${
      mode === "signin"
        ? html`<button class="link-button forgot" type="button" id="reset-open" onClick=${() => go("reset")}>
            Forgot password?
          </button>`
        : null
    }
    <p class="form-error" role="alert" id="signin-error">${error}</p>
    <button class="btn btn-primary" type="submit" id="signin-submit" disabled=${busy}>${submitLabel}</button>
    ${mode === "signin" && providers?.includes("google") ? html`<${GoogleButton} auth=${auth} setError=${setError} />` : null}
    <p class="signin-switch">
      ${
        mode === "signin"
          ? html`New here?${" "}
              <button class="link-button" type="button" id="signup-open" onClick=${() => go("signup")}>
                Create an account
              </button>`
          : html`${mode === "signup" ? "Already have an account?" : "Remembered it?"}${" "}
              <button class="link-button" type="button" id="signin-open" onClick=${() => go("signin")}>
                Sign in
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

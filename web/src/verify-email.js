// A signed-in account whose email is not verified yet: nothing is claimed for it (anyone
// can sign up with anyone's email), so the page asks its owner to follow the link
// Firebase emailed. "Resend" sends it again; "I have verified" reads the account again
// and, verified, the page claims and moves on. The page also checks by itself when it
// opens (the link may have been followed elsewhere) and when it becomes visible again
// (back from the mail app).
import { signOut } from "firebase/auth";
import { authErrorMessage, sendVerification, takeSignUp } from "./auth-ui.js";
import { fmtTime } from "./dom.js";
import { t } from "./i18n/index.js";
import { html, useEffect, useRef, useState } from "./ui.js";

/**
 * `recheck()` resolves to whether the email is verified now (the page's account
 * controller, account.js, which then claims).
 */
export function VerifyEmail({ auth, user, recheck }) {
  const [status, setStatus] = useState({ text: "", kind: "" }); // kind: "", "error"
  const [busy, setBusy] = useState(null); // "check" | "send" | null
  const heading = useRef(null);
  const email = user.email ?? "";

  async function send(again) {
    setBusy("send");
    try {
      await sendVerification(user);
      setStatus({ text: again ? t("verify.sentAgain", { time: fmtTime(new Date()) }) : "", kind: "" });
    } catch (err) {
      setStatus({
        text:
          err?.code === "auth/too-many-requests"
            ? t("verify.tooMany")
            : t("verify.notSent", { error: authErrorMessage(err) }),
        kind: "error",
      });
    } finally {
      setBusy(null);
    }
  }

  async function check({ quiet = false } = {}) {
    if (!quiet) setBusy("check");
    try {
      const verified = await recheck();
      if (!verified && !quiet) {
        setStatus({
          text: t("verify.notYet", { email }),
          kind: "error",
        });
      }
    } catch (err) {
      if (!quiet) setStatus({ text: t("verify.couldNotCheck", { error: authErrorMessage(err) }), kind: "error" });
    } finally {
      if (!quiet) setBusy(null);
    }
  }

  useEffect(() => {
    heading.current?.focus();
    if (takeSignUp(email)) send(false);
    else check({ quiet: true });
    const onVisible = () => {
      if (document.visibilityState === "visible") check({ quiet: true });
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [user]);

  return html`<section class="card signin verify" aria-labelledby="verify-title" id="verify-email">
    <h1 id="verify-title" tabindex="-1" ref=${heading}>${t("verify.title")}</h1>
    <p>
      ${t("verify.sentBefore")}<strong class="break" id="verify-address" translate=${false}>${email}</strong>${t("verify.sentAfter")}
    </p>
    <p class="muted">
      ${t("verify.explain")}
    </p>
    <p class=${status.kind === "error" ? "form-error" : "small"} role="status" id="verify-status">${status.text}</p>
    <button class="btn btn-primary" type="button" id="verify-check" disabled=${!!busy} onClick=${() => check()}>
      ${busy === "check" ? t("common.checking") : t("verify.verified")}
    </button>
    <button class="btn" type="button" id="verify-resend" disabled=${!!busy} onClick=${() => send(true)}>
      ${busy === "send" ? t("common.sending") : t("verify.resend")}
    </button>
    <p class="muted small signin-switch">
      ${t("verify.wrongAddress")}${" "}
      <button class="link-button" type="button" id="verify-signout" onClick=${() => signOut(auth)}>
        ${t("common.signOut")}</button
      >${" "}${t("verify.createAgain")}
    </p>
  </section>`;
}

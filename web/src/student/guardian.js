// The student's card about alerts to their guardian, under "My attendance": shown only
// when the institution sends them and the class list names a guardian's email. The
// student turns the emails on (their consent, recorded with its time) or off again;
// the card says which and since when (guardian-api.js).
import { firebase } from "../config.js";
import { fmtDay } from "../dom.js";
import { guardianErrorText, readGuardian, setGuardianConsent, showsCard } from "../guardian-api.js";
import { t } from "../i18n/index.js";
import { html, useEffect, useState } from "../ui.js";

async function context(user) {
  const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
  return { scanUrl: config.scanUrl, idToken };
}

export function GuardianCard({ user }) {
  const [guardian, setGuardian] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    let live = true;
    context(user)
      .then((ctx) => readGuardian(ctx))
      .then((result) => live && result.state === "ok" && setGuardian(result.guardian))
      .catch(() => {}); // no card offline: nothing the student can do about it then
    return () => {
      live = false;
    };
  }, [user.uid]);

  if (!showsCard(guardian)) return null;

  async function change(consent) {
    setBusy(true);
    setError(null);
    const result = await setGuardianConsent({ ...(await context(user)), consent });
    setBusy(false);
    if (result.state === "ok") setGuardian(result.guardian);
    else setError(guardianErrorText(result));
  }

  const on = guardian.consent;
  return html`<section class="card guardian-card" id="guardian-card" aria-labelledby="guardian-title">
    <h2 id="guardian-title">${t("guardian.title")}</h2>
    <p>
      ${
        on
          ? html`${t("guardian.onBefore")}<strong translate=${false}>${guardian.guardianEmail}</strong>${t(
              "guardian.onAfter",
              { day: fmtDay(guardian.consentedAt) },
            )}`
          : html`${t("guardian.offBefore")}<strong translate=${false}>${guardian.guardianEmail}</strong>${t(
              "guardian.offAfter",
            )}`
      }
    </p>
    ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
    <button
      type="button"
      id="guardian-consent"
      class=${on ? "btn" : "btn btn-primary"}
      disabled=${busy}
      onClick=${() => change(!on)}
    >
      ${on ? t("guardian.stop") : t("guardian.start")}
    </button>
  </section>`;
}

// What the claim said, where the page would otherwise be empty or wrong: an email that
// was given nothing (no course list, no role) gets a clear message and "Check again"
// (an office may add it meanwhile: an import links existing accounts at once); a claim
// that could not be made says so and offers "Try again".
import { nothingClaimed } from "./account-api.js";
import { t } from "./i18n/index.js";
import { html } from "./ui.js";

/**
 * `account`: the page's account state (account.js); `claim()`: check again.
 * `quietOffline`: say nothing of a claim that failed for want of a network (the scan
 * page works offline and says so itself; it claims again once online).
 */
export function ClaimNotice({ account, claim, who = "student", quietOffline = false }) {
  if (account.state === "failed" && quietOffline && account.error.code === "network") return null;
  if (account.state === "failed") {
    return html`<div class="notice claim-failed" role="alert" id="claim-failed" data-code=${account.error.code}>
      <p>
        ${account.error.text}${" "}
        <button class="btn btn-small" type="button" id="claim-retry" onClick=${claim}>${t("common.tryAgain")}</button>
      </p>
      ${
        account.error.code
          ? html`<details class="result-details" id="claim-details">
              <summary>${t("common.details")}</summary>
              <p class="muted small">${t("claim.code", { code: account.error.code })}</p>
            </details>`
          : null
      }
    </div>`;
  }
  const me = account.me;
  if (!me || !nothingClaimed(me)) return null;
  const checking = account.state === "claiming";
  return html`<section class="card claim-none" id="claim-none" aria-labelledby="claim-none-title" role="status">
    <h2 id="claim-none-title">${t("claim.noneTitle")}</h2>
    <p>
      ${t("claim.noneBefore")}<strong class="break" translate=${false}>${account.email ?? me.email ?? ""}</strong>${t(
        who === "staff" ? "claim.noneAfterStaff" : "claim.noneAfterStudent",
      )}
    </p>
    <p class="muted small">${t("claim.otherAddress")}</p>
    <button class="btn" type="button" id="claim-recheck" disabled=${checking} onClick=${claim}>
      ${checking ? t("common.checking") : t("claim.checkAgain")}
    </button>
  </section>`;
}

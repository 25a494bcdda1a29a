// What the claim said, where the page would otherwise be empty or wrong: an email that
// was given nothing (no course list, no role) gets a clear message and "Check again"
// (an office may add it meanwhile: an import links existing accounts at once); a claim
// that could not be made says so and offers "Try again".
import { nothingClaimed } from "./account-api.js";
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
        <button class="btn btn-small" type="button" id="claim-retry" onClick=${claim}>Try again</button>
      </p>
      ${
        account.error.code
          ? html`<details class="result-details" id="claim-details">
              <summary>Details</summary>
              <p class="muted small">${`Code: ${account.error.code}`}</p>
            </details>`
          : null
      }
    </div>`;
  }
  const me = account.me;
  if (!me || !nothingClaimed(me)) return null;
  const checking = account.state === "claiming";
  return html`<section class="card claim-none" id="claim-none" aria-labelledby="claim-none-title" role="status">
    <h2 id="claim-none-title">No courses for this email yet</h2>
    <p>
      Your email <strong class="break">${account.email ?? me.email ?? ""}</strong> is on no course list yet. Ask your
      department office to add it${who === "staff" ? " to the courses file (teachers and TAs)" : " to your course's class list"};
      then press Check again.
    </p>
    <p class="muted small">Signed up with another address? Sign out and use the one your institution has for you.</p>
    <button class="btn" type="button" id="claim-recheck" disabled=${checking} onClick=${claim}>
      ${checking ? "Checking…" : "Check again"}
    </button>
  </section>`;
}

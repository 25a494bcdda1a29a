// After every sign-in, the page finds out what the person is: an unverified email
// waits for its verification (nothing is claimed before: anyone can sign up with
// anyone's email); a verified one claims what it was given (POST /me/claim,
// account-api.js). The page's controller owns the `account` signal and this writes it:
//   {state: "signed-out"}
//   {state: "unverified", email}
//   {state: "claiming", email, me?}        (me: the previous claim, while checking again)
//   {state: "ready", email, me}            (me: {admin, departments, staff, enrolled, ...})
//   {state: "failed", email, error: {text, code}, me?}
// No DOM; the user object and the claim call are injectable, so node --test runs it.
import { claimAccount, claimErrorText } from "./account-api.js";

/**
 * The ID token to claim with: one that says email_verified once the account is
 * verified (a token minted before the verification still says false: refresh it).
 */
export async function verifiedToken(user) {
  let result = await user.getIdTokenResult();
  if (user.emailVerified && result.claims?.email_verified !== true) result = await user.getIdTokenResult(true);
  return result.token;
}

/** The controller of a page's `account` signal; `scanUrl` is where /me/claim is. */
export function accountController(account, { scanUrl, claim = claimAccount }) {
  let user = null;
  let generation = 0; // a newer user or claim makes an older claim's answer stale
  let claiming = null;

  async function runClaim() {
    const mine = ++generation;
    const who = user;
    const before = account.peek?.() ?? account.value;
    account.value = { state: "claiming", email: who.email ?? null, me: before.me ?? null };
    let result;
    try {
      result = await claim({ scanUrl, idToken: await verifiedToken(who) });
    } catch (err) {
      result = { state: "failed", code: err?.code ?? "network", message: String(err?.message ?? err) };
    }
    if (mine !== generation) return account.value;
    account.value =
      result.state === "claimed"
        ? { state: "ready", email: who.email ?? null, me: result.me }
        : {
            state: "failed",
            email: who.email ?? null,
            me: before.me ?? null,
            error: { text: claimErrorText(result), code: result.code },
          };
    return account.value;
  }

  return {
    /** The signed-in user changed (null: signed out). Resolves when the claim is done. */
    setUser(next) {
      user = next ?? null;
      generation += 1;
      if (!user) {
        account.value = { state: "signed-out" };
        claiming = Promise.resolve(account.value);
      } else if (!user.emailVerified) {
        account.value = { state: "unverified", email: user.email ?? null };
        claiming = Promise.resolve(account.value);
      } else {
        account.value = { state: "claiming", email: user.email ?? null, me: null };
        claiming = runClaim();
      }
      return claiming;
    },
    /** Claim again ("Check again", "Try again"). */
    claim() {
      if (!user?.emailVerified) return Promise.resolve(account.value);
      claiming = runClaim();
      return claiming;
    },
    /** The claim under way (or the last one): resolves to the account state. */
    settled() {
      return claiming ?? Promise.resolve(account.value);
    },
    /**
     * "I have verified": the account read again from Firebase; if its email is verified
     * now, a fresh ID token and the claim (started: settled() follows it). Resolves to
     * whether it is verified.
     */
    async recheck() {
      const who = user;
      if (!who) return false;
      await who.reload();
      if (who !== user || !who.emailVerified) return false;
      await who.getIdToken(true);
      if (who !== user) return false;
      generation += 1;
      claiming = runClaim();
      return true;
    },
  };
}

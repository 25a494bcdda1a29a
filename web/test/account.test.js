// Unit tests of the account controller (web/src/account.js): an unverified email claims
// nothing and waits; a verified one claims with a token that says so; "I have verified"
// reads the account again; a newer sign-in makes an older claim's answer stale.
import assert from "node:assert/strict";
import { test } from "node:test";

import { signal } from "@preact/signals";
import { accountController, verifiedToken } from "../src/account.js";

function fakeUser({ email = "s@x.example", verified = false, tokenSays = verified } = {}) {
  const user = {
    email,
    emailVerified: verified,
    tokenSays,
    refreshed: 0,
    reloads: 0,
    verifyOnReload: false,
    async reload() {
      this.reloads += 1;
      if (this.verifyOnReload) this.emailVerified = true;
    },
    async getIdToken(force) {
      if (force) {
        this.refreshed += 1;
        this.tokenSays = this.emailVerified;
      }
      return `token-${this.tokenSays}`;
    },
    async getIdTokenResult(force) {
      const token = await this.getIdToken(force);
      return { token, claims: { email_verified: this.tokenSays } };
    },
  };
  return user;
}

const ME = { email: "s@x.example", admin: false, departments: [], staff: {}, enrolled: ["c1"] };

test("a verified email's token is refreshed when it was minted before the verification", async () => {
  const user = fakeUser({ verified: true, tokenSays: false });
  assert.equal(await verifiedToken(user), "token-true");
  assert.equal(user.refreshed, 1);
  const fresh = fakeUser({ verified: true });
  assert.equal(await verifiedToken(fresh), "token-true");
  assert.equal(fresh.refreshed, 0, "no refresh when the token says verified already");
});

test("unverified: nothing is claimed; verified on recheck: a fresh token, then the claim", async () => {
  const account = signal({ state: "signed-out" });
  const calls = [];
  const ctl = accountController(account, {
    scanUrl: "http://x/",
    claim: async ({ idToken }) => {
      calls.push(idToken);
      return { state: "claimed", me: ME };
    },
  });
  const user = fakeUser();
  await ctl.setUser(user);
  assert.deepEqual(account.value, { state: "unverified", email: "s@x.example" });
  assert.deepEqual(calls, []);

  assert.equal(await ctl.recheck(), false, "not verified yet");
  assert.equal(account.value.state, "unverified");

  user.verifyOnReload = true;
  assert.equal(await ctl.recheck(), true);
  await ctl.settled();
  assert.deepEqual(calls, ["token-true"]);
  assert.deepEqual(account.value, { state: "ready", email: "s@x.example", me: ME });

  await ctl.setUser(null);
  assert.deepEqual(account.value, { state: "signed-out" });
});

test("a failed claim says so and keeps what was known; Try again claims again", async () => {
  const account = signal({ state: "signed-out" });
  let answer = { state: "rejected", code: "unavailable", message: "busy" };
  const ctl = accountController(account, { scanUrl: "http://x/", claim: async () => answer });
  await ctl.setUser(fakeUser({ verified: true }));
  assert.equal(account.value.state, "failed");
  assert.equal(account.value.error.code, "unavailable");
  assert.equal(account.value.me, null);
  answer = { state: "claimed", me: ME };
  await ctl.claim();
  assert.equal(account.value.state, "ready");
  answer = { state: "rejected", code: "network", message: "offline" };
  await ctl.claim();
  assert.equal(account.value.state, "failed");
  assert.deepEqual(account.value.me, ME, "the last claim still stands");
});

test("a newer sign-in wins over an older claim still on its way", async () => {
  const account = signal({ state: "signed-out" });
  const pending = [];
  const ctl = accountController(account, {
    scanUrl: "http://x/",
    claim: ({ idToken }) => new Promise((resolve) => pending.push({ idToken, resolve })),
  });
  const first = ctl.setUser(fakeUser({ email: "a@x.example", verified: true }));
  const second = ctl.setUser(fakeUser({ email: "b@x.example", verified: true }));
  assert.equal(account.value.me, null, "the first person's claim is not shown for the second");
  await new Promise((r) => setTimeout(r, 0));
  pending[1].resolve({ state: "claimed", me: { ...ME, email: "b@x.example" } });
  await second;
  pending[0].resolve({ state: "claimed", me: { ...ME, email: "a@x.example" } });
  await first;
  assert.equal(account.value.me.email, "b@x.example");
});

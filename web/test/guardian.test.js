import assert from "node:assert/strict";
import { test } from "node:test";

import {
  guardianErrorText,
  normalizeGuardian,
  readGuardian,
  setGuardianConsent,
  showsCard,
} from "../src/guardian-api.js";

function fetchReturning(status, body, seen = []) {
  return async (url, init) => {
    seen.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
}

const STATE = { enabled: true, guardian_email: "g@x.test", consent: true, consented_at: "2026-12-06T10:00:00+00:00" };

test("the consent as the page keeps it", () => {
  const g = normalizeGuardian(STATE);
  assert.equal(g.guardianEmail, "g@x.test");
  assert.equal(g.consent, true);
  assert.equal(g.consentedAt.toISOString(), "2026-12-06T10:00:00.000Z");
  assert.deepEqual(normalizeGuardian({}), { enabled: false, guardianEmail: null, consent: false, consentedAt: null });
});

test("the card shows only when the institution sends emails and a guardian is listed", () => {
  assert.equal(showsCard(normalizeGuardian(STATE)), true);
  assert.equal(showsCard(normalizeGuardian({ ...STATE, enabled: false })), false);
  assert.equal(showsCard(normalizeGuardian({ ...STATE, guardian_email: null })), false);
  assert.equal(showsCard(null), false);
});

test("reading and changing the consent call the API with the token", async () => {
  const seen = [];
  const read = await readGuardian({ scanUrl: "https://s/", idToken: "t", fetchImpl: fetchReturning(200, STATE, seen) });
  assert.equal(read.state, "ok");
  assert.equal(seen[0].url, "https://s/me/guardian");
  const set = await setGuardianConsent({
    scanUrl: "https://s/",
    idToken: "t",
    consent: false,
    fetchImpl: fetchReturning(200, { ...STATE, consent: false, consented_at: null }, seen),
  });
  assert.equal(set.guardian.consent, false);
  assert.equal(seen[1].url, "https://s/me/guardian-consent");
  assert.deepEqual(JSON.parse(seen[1].init.body), { consent: false });
});

test("a refusal is said in words", async () => {
  const body = { error: { code: "bad_request", message: "the roster lists no guardian email for you" } };
  const result = await setGuardianConsent({
    scanUrl: "https://s/",
    idToken: "t",
    consent: true,
    fetchImpl: fetchReturning(400, body),
  });
  assert.equal(result.state, "rejected");
  assert.match(guardianErrorText(result), /Nothing was changed.*no guardian email/);
  assert.match(guardianErrorText({ code: "network" }), /No connection/);
});

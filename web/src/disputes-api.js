// Disputes (docs/api.md): the student's POST /disputes, the staff's GET
// /disputes/{id}/evidence and POST /disputes/decide, and the words for what comes back,
// pure (no DOM, no Firebase) so node --test checks them: which sessions a student may
// still dispute, a dispute's state, and the evidence as sentences a teacher reads.
import { endpoint, getJson, postJson, refusal } from "./http.js";
import { fmt, keysOf, locale, t, words } from "./i18n/index.js";
import { REJECTION_REASONS } from "./projector/model.js";

const DAY_MS = 86400000;
/** What a student may dispute, and what an accepted dispute may set. */
export const DISPUTABLE = Object.freeze(["absent", "late"]);
export const SETTLED_AS = Object.freeze(["present", "late"]);
export const MAX_TEXT = 500;

/** The student files a dispute: {state: "accepted", dispute} or a refusal. */
export async function fileDispute({ scanUrl, idToken, sessionId, note, fetchImpl, timeoutMs }) {
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "disputes"), {
    idToken,
    json: { session_id: sessionId, note },
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  if (resp.ok && body?.dispute_id) return { state: "accepted", dispute: body };
  return refusal(resp, body);
}

/** The staff read the evidence: {state: "accepted", evidence} or a refusal. */
export async function fetchEvidence({ scanUrl, idToken, disputeId, fetchImpl, timeoutMs }) {
  const url = endpoint(scanUrl, `disputes/${encodeURIComponent(disputeId)}/evidence`);
  const { failed, resp, body } = await getJson(url, { idToken, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (resp.ok && body?.dispute) return { state: "accepted", evidence: body };
  return refusal(resp, body);
}

/** The staff decide: decision "accept" (status present|late) or "decline" (comment). */
export async function decideDispute({ scanUrl, idToken, disputeId, decision, status, comment, fetchImpl, timeoutMs }) {
  const json = { dispute_id: disputeId, decision, comment: comment ?? "" };
  if (decision === "accept") json.status = status;
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "disputes/decide"), {
    idToken,
    json,
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  if (resp.ok && body?.dispute_id) return { state: "accepted", dispute: body };
  return refusal(resp, body);
}

/** Plain words for a refused dispute or decision. */
// The codes worded in the catalogs (disputes.errors.<code>), read when shown.
const DISPUTE_CODES = [
  "dispute_window_closed",
  "not_disputable",
  "already_disputed",
  "already_decided",
  "not_enrolled",
  "forbidden",
  "not_found",
  "unauthenticated",
  "unavailable",
  "network",
];
export const DISPUTE_ERRORS = words(keysOf("disputes.errors", DISPUTE_CODES));

export function disputeErrorText(result) {
  if (result.code === "bad_request") return t("disputes.refused", { message: result.message });
  return DISPUTE_ERRORS[result.code] ?? t("disputes.refusedCode", { code: result.code, message: result.message });
}

/**
 * Whether the student may still dispute a session of their figures ({status, at: ms of
 * its start}): absent or late, and within `windowDays` of its start (the server counts
 * from its end, a little later, so the page never offers what the server refuses).
 */
export function mayDispute(session, windowDays, nowMs) {
  if (!DISPUTABLE.includes(session?.status) || !session.at) return false;
  return nowMs <= session.at + windowDays * DAY_MS;
}

/** A dispute's state for the student: {label, tone}. */
export function disputeState(dispute) {
  const set = dispute?.set_status === "late" ? "late" : "present";
  switch (dispute?.status) {
    case "accepted":
      return { label: t("disputes.accepted", { status: t(`status.${set}`) }), tone: "ok" };
    case "declined":
      return { label: t("disputes.declined"), tone: "declined" };
    default:
      return { label: t("disputes.open"), tone: "open" };
  }
}

/** Times in the institution's time zone: "Mon 7 Dec, 09:04:12" (`seconds` false: "Mon 7 Dec, 09:04"). */
export function timeWriter(timeZone, { seconds = true } = {}) {
  let options = {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(seconds ? { second: "2-digit" } : {}),
    timeZone: timeZone || undefined,
  };
  try {
    new Intl.DateTimeFormat(locale(), options); // an unknown time zone throws
  } catch {
    options = { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" };
  }
  // in the page's language when written (fmt.date), which may change after this is made
  return (iso) => (iso ? fmt.date(new Date(iso), options) : "–");
}

function times(n) {
  return n === 1 ? t("disputeEvidence.once") : n === 2 ? t("disputeEvidence.twice") : t("disputeEvidence.times", { n });
}

/** A status in words ("present"), or what the server sent. */
const statusWord = (status) => (status in STATUS_WORDS ? STATUS_WORDS[status] : status);
const STATUS_WORDS = words(keysOf("status", ["present", "late", "excused", "absent"]));

/**
 * The evidence as lines a teacher reads: each rejected scan ("Refused twice, 09:04:12
 * to 09:04:40: Code had already changed … From phone ab12…9f3e, the phone this student
 * has checked in with since Mon 30 Nov (3 sessions)."), the phones, the record and its
 * history. -> {rejections: [{code, text, device}], phones: [text], record: text,
 * history: [text]}
 */
export function describeEvidence(evidence) {
  const at = timeWriter(evidence?.time_zone);
  const phones = evidence?.devices ?? [];
  const rejections = (evidence?.rejections ?? []).map((r) => {
    const reason = REJECTION_REASONS[r.code] ?? r.code;
    const [first, last] = [at(r.first_at ?? r.last_at), at(r.last_at)];
    const when = first === last ? last : t("disputeEvidence.range", { first, last });
    const known = phones.find((p) => p.device_id === r.device_id);
    const device = !r.device_id
      ? t("disputeEvidence.noPhoneId")
      : known
        ? t("disputeEvidence.samePhone", { since: at(known.first_used_at), count: known.sessions })
        : t("disputeEvidence.newPhone");
    return {
      code: r.code,
      text: t("disputeEvidence.refused", { times: times(r.count ?? 1), when, reason }),
      device,
      deviceId: r.device_id ?? "",
    };
  });
  const phoneLines = phones.map((p) => {
    const uses =
      p.sessions === 1
        ? t("disputeEvidence.usedOnce", { at: at(p.first_used_at) })
        : t("disputeEvidence.usedMany", { n: p.sessions, first: at(p.first_used_at), last: at(p.last_used_at) });
    return t(p.bound_here ? "disputeEvidence.phoneHere" : "disputeEvidence.phone", {
      device: short(p.device_id),
      uses,
    });
  });
  const r = evidence?.record;
  let record = t("disputeEvidence.noRecord");
  if (r) {
    const how = ["scan", "close", "override"].includes(r.source) ? t(`disputeEvidence.how.${r.source}`) : "";
    const status = statusWord(r.status);
    record = how ? t("disputeEvidence.markedHow", { status, how }) : t("disputeEvidence.marked", { status });
    if (r.source === "scan" && r.scanned_at) {
      record += t("disputeEvidence.scanAccepted", { at: at(r.scanned_at), device: short(r.device_id ?? "") });
      if (r.queued_at) record += t("disputeEvidence.queued", { at: at(r.queued_at) });
    }
  }
  const history = (evidence?.history ?? []).map((a) =>
    t("disputeEvidence.history", {
      at: at(a.at),
      from: a.previous_status ? statusWord(a.previous_status) : t("disputeEvidence.noRecordShort"),
      to: statusWord(a.status),
      reason: a.reason ? t("disputeEvidence.historyReason", { reason: a.reason }) : "",
      basis: a.basis?.startsWith("dispute/") ? t("disputeEvidence.byDispute") : "",
    }),
  );
  return { rejections, phones: phoneLines, record, history };
}

function short(device = "") {
  return device.length > 12 ? `${device.slice(0, 4)}…${device.slice(-4)}` : device || "–";
}

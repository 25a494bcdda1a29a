// The course view's "Disputes" (#/course/<id>): the students' disputes of their absences
// and late marks, open ones first, live (a listener on disputes where course_id == the
// course, which the rules let its viewers read). Beside each open dispute, the evidence
// Rollcall holds (GET /disputes/{id}/evidence: the refused scans in plain words, with
// times in the institution's time zone, the phone they came from and since when the
// student has checked in with it, the record and its history), and the decision:
// accept as present or late, or decline with a comment (POST /disputes/decide). Only
// for those who may change attendance (the contracts' "override": teachers and TAs).
import {
  decideDispute,
  describeEvidence,
  disputeErrorText,
  fetchEvidence,
  MAX_TEXT,
  timeWriter,
} from "../disputes-api.js";
import { clear, fmtDay, fmtTime, h, toDate } from "../dom.js";
import { keysOf, t, words } from "../i18n/index.js";

const statusWord = (status) => (status ? t(`status.${status}`) : "");
const DISPUTED = words({ absent: "disputeEvidence.marked_absent", late: "disputeEvidence.marked_late" });
const DECIDED = words(keysOf("disputeEvidence.state", ["accepted", "declined", "open"]));

/** -> {el, allow(yes), stop()}; `context()` resolves to {scanUrl, idToken}. */
export function courseDisputes({ courseId, context, firestore }) {
  const count = h("span.badge.is-zero", { id: "disputes-count" }, "0");
  const list = h("ol.plain.dispute-list", { id: "dispute-list" }, h("li.muted", {}, t("common.loading")));
  const el = h(
    "section.disputes-pane",
    { id: "disputes", "aria-labelledby": "disputes-title", hidden: true },
    h("h2", { id: "disputes-title" }, t("teacherDisputes.title"), count),
    h("p.muted.small", {}, t("teacherDisputes.intro")),
    list,
  );
  let docs = [];
  let allowed = false;
  let listening = null;
  let stopped = false;
  const evidence = new Map(); // dispute id -> {loading} | {evidence} | {error}
  const forms = new Map(); // dispute id -> {comment, busy, error}

  async function load(id) {
    evidence.set(id, { loading: true });
    const result = await fetchEvidence({ ...(await context()), disputeId: id });
    evidence.set(id, result.state === "accepted" ? { evidence: result.evidence } : { error: disputeErrorText(result) });
    render();
  }

  async function decide(id, decision, status) {
    const form = forms.get(id) ?? { comment: "" };
    if (decision === "decline" && !form.comment.trim()) {
      forms.set(id, { ...form, error: t("disputeEvidence.sayWhy") });
      render();
      return;
    }
    forms.set(id, { ...form, busy: true, error: null });
    render();
    const result = await decideDispute({
      ...(await context()),
      disputeId: id,
      decision,
      status,
      comment: form.comment,
    });
    forms.set(id, { ...form, busy: false, error: result.state === "accepted" ? null : disputeErrorText(result) });
    if (result.state === "accepted") load(id); // the record's history now has the change
    render();
  }

  function render() {
    if (stopped) return;
    const open = docs.filter((d) => d.status === "open");
    count.textContent = String(open.length);
    count.className = open.length ? "badge" : "badge is-zero";
    if (!docs.length) {
      clear(list, h("li.muted", {}, t("teacherDisputes.none")));
      return;
    }
    const ordered = [...open, ...docs.filter((d) => d.status !== "open")];
    for (const d of open) if (!evidence.has(d.dispute_id)) load(d.dispute_id);
    const focused = document.activeElement?.id;
    clear(
      list,
      ordered.map((d) => item(d)),
    );
    if (focused) document.getElementById(focused)?.focus();
  }

  function item(d) {
    const starts = toDate(d.session_starts_at);
    const found = evidence.get(d.dispute_id);
    // in the institution's time zone once the evidence says which, as its times are
    const zone = found?.evidence?.time_zone;
    const when = !starts
      ? d.session_id
      : zone
        ? timeWriter(zone, { seconds: false })(starts.toISOString())
        : `${fmtDay(starts)} ${fmtTime(starts)}`;
    const who = `${d.name || "Student"}${d.roll_no ? ` (roll no ${d.roll_no})` : ""}`;
    return h(
      `li.dispute.dispute-${d.status}`,
      { dataset: { dispute: d.dispute_id, status: d.status } },
      h(
        "div.dispute-head",
        {},
        h("strong.dispute-who", { translate: "no" }, who),
        h(
          "span.dispute-session",
          {},
          t("disputeEvidence.sessionLine", { when, marked: DISPUTED[d.disputed] ?? d.disputed }),
        ),
        h(`span.dispute-state.dispute-${d.status}`, {}, DECIDED[d.status] ?? d.status),
      ),
      h("blockquote.dispute-note", { translate: "no" }, d.note),
      d.status === "open"
        ? [evidenceBlock(found), decisionBlock(d)]
        : h(
            "p.dispute-outcome.muted.small",
            {},
            d.status === "accepted"
              ? d.comment
                ? [
                    t("disputeEvidence.acceptedNowSaid", { status: statusWord(d.set_status) }),
                    h("span", { translate: "no" }, d.comment),
                    t("disputeEvidence.quoteEnd"),
                  ]
                : t("disputeEvidence.acceptedNow", { status: statusWord(d.set_status) })
              : [
                  t("disputeEvidence.declinedSaid"),
                  h("span", { translate: "no" }, d.comment ?? ""),
                  t("disputeEvidence.quoteEnd"),
                ],
          ),
    );
  }

  function evidenceBlock(found) {
    if (!found || found.loading) return h("p.muted.small.evidence", {}, t("disputeEvidence.reading"));
    if (found.error) return h("p.form-error.evidence", {}, found.error);
    const e = describeEvidence(found.evidence);
    return h(
      "div.evidence",
      {},
      h("h3.evidence-title", {}, t("disputeEvidence.recorded")),
      h(
        "ul.plain.evidence-rejections",
        {},
        e.rejections.length
          ? e.rejections.map((r) =>
              h(
                "li.evidence-rejection",
                { dataset: { code: r.code } },
                h("span", {}, r.text),
                " ",
                h("span.evidence-device", { title: r.deviceId }, r.device),
              ),
            )
          : h("li.muted", {}, t("disputeEvidence.noRefused")),
      ),
      e.phones.length
        ? h(
            "ul.plain.evidence-phones.small",
            {},
            e.phones.map((p) => h("li", {}, p)),
          )
        : null,
      h("p.evidence-record.small", {}, e.record),
      e.history.length
        ? h(
            "ul.plain.evidence-history.small",
            {},
            e.history.map((line) => h("li", {}, line)),
          )
        : null,
    );
  }

  function decisionBlock(d) {
    const id = d.dispute_id;
    const form = forms.get(id) ?? { comment: "", busy: false, error: null };
    const field = `dispute-comment-${id}`;
    const comment = h("input.dispute-comment", {
      id: field,
      type: "text",
      maxlength: MAX_TEXT,
      placeholder: t("disputeEvidence.commentPlaceholder"),
      autocomplete: "off",
    });
    comment.value = form.comment;
    comment.addEventListener("input", () => forms.set(id, { ...(forms.get(id) ?? {}), comment: comment.value }));
    const button = (label, cls, decision, status) =>
      h(
        `button.btn.btn-small.${cls}`,
        { type: "button", disabled: form.busy, onclick: () => decide(id, decision, status) },
        label,
      );
    return h(
      "div.dispute-decide",
      {},
      h("label.visually-hidden", { for: field }, t("disputeEvidence.comment")),
      comment,
      button(t("disputeEvidence.acceptPresent"), "btn-primary.dispute-accept-present", "accept", "present"),
      button(t("disputeEvidence.acceptLate"), "dispute-accept-late", "accept", "late"),
      button(t("disputeEvidence.decline"), "dispute-decline", "decline"),
      form.error ? h("p.form-error", { role: "alert" }, form.error) : null,
    );
  }

  return {
    el,
    /** Show the disputes (and start listening) once the course says the person may decide. */
    allow(yes) {
      allowed = yes;
      el.hidden = !allowed;
      if (!allowed || listening) return;
      listening = firestore().then(({ db, fs }) =>
        stopped
          ? () => {}
          : fs.onSnapshot(
              fs.query(fs.collection(db, "disputes"), fs.where("course_id", "==", courseId)),
              (snap) => {
                docs = snap.docs
                  .map((s) => s.data())
                  .sort((a, b) => (toDate(a.filed_at)?.getTime() ?? 0) - (toDate(b.filed_at)?.getTime() ?? 0));
                render();
              },
              (err) =>
                clear(
                  list,
                  h("li.form-error", {}, t("disputeEvidence.unavailable", { code: err.code ?? err.message })),
                ),
            ),
      );
    },
    stop() {
      stopped = true;
      listening?.then((unsubscribe) => unsubscribe());
    },
  };
}

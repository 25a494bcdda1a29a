// The student's disputes, in each course card of "My attendance": the absences and late
// marks of the course's closed sessions, each with "Dispute" while the course's window
// is open (a note, then Send: POST /disputes), and each dispute's state and the
// teacher's comment, live (a listener on the student's own disputes, which the rules
// let them read). Built by hand like my-attendance.js, which redraws its cards on every
// change: what is being typed lives here (drafts), not in the DOM.
import { disputeErrorText, disputeState, fileDispute, MAX_TEXT, mayDispute } from "../disputes-api.js";
import { fmtDay, fmtTime, h } from "../dom.js";
import { t } from "../i18n/index.js";

/**
 * The disputes' state of one page: drafts (session id -> {open, text, busy, error}),
 * the student's disputes (session id -> document) and how to send one. `context()`
 * resolves to {scanUrl, idToken}; `redraw()` draws the page again.
 */
export function createDisputes({ context, redraw, announce = () => {} }) {
  const drafts = new Map();
  let disputes = new Map();
  const draft = (sid) => drafts.get(sid) ?? { open: false, text: "", busy: false, error: null };
  /** The focus goes to the element of that id once the page is drawn again. */
  const focus = (id) => document.getElementById(id)?.focus();
  const change = (sid, patch, focusId) => {
    drafts.set(sid, { ...draft(sid), ...patch });
    redraw();
    if (focusId) focus(focusId);
  };

  async function send(sessionId) {
    const note = draft(sessionId).text.trim();
    if (!note) {
      const error = t("disputes.sayWhat");
      change(sessionId, { error }, `dispute-note-${sessionId}`);
      announce(error);
      return;
    }
    change(sessionId, { busy: true, error: null });
    const result = await fileDispute({ ...(await context()), sessionId, note });
    if (result.state === "accepted") {
      disputes = new Map(disputes).set(sessionId, result.dispute);
      drafts.delete(sessionId);
      redraw();
      focus(`dispute-state-${sessionId}`);
      announce(disputeState(result.dispute).label);
    } else {
      const error = disputeErrorText(result);
      change(sessionId, { busy: false, error }, `dispute-note-${sessionId}`);
      announce(error);
    }
  }

  /** The list for one course: sessions [{id, status, at}] (oldest first), its rules. */
  function section(sessions, rules, nowMs = Date.now()) {
    const shown = sessions
      .filter((s) => disputes.has(s.id) || mayDispute(s, rules.dispute_window_days, nowMs))
      .reverse();
    if (!shown.length) return null;
    return h(
      "section.my-disputes",
      { "aria-label": t("disputes.label") },
      h("h3.my-disputes-title", {}, t("disputes.title")),
      h("p.muted.small", {}, t("disputes.within", { count: rules.dispute_window_days })),
      h(
        "ul.plain.my-dispute-list",
        {},
        shown.map((s) => row(s)),
      ),
    );
  }

  function row(s) {
    const at = s.at ? new Date(s.at) : null;
    const when = at ? t("time.dayTime", { day: fmtDay(at), time: fmtTime(at) }) : s.id;
    const dispute = disputes.get(s.id);
    // a disputed session is named by the mark disputed (the record may have changed since)
    const marked = dispute?.disputed ?? s.status;
    const word = marked === "late" ? t("attendance.status.late") : t("attendance.status.absent");
    const d = draft(s.id);
    const head = h("span.my-dispute-when", {}, `${when}: `, h(`strong.status-${marked}`, {}, word));
    const label = marked === "late" ? "disputes.openLate" : "disputes.openAbsent";
    if (dispute) {
      const state = disputeState(dispute);
      return h(
        "li.my-dispute",
        { dataset: { session: s.id, dispute: dispute.status } },
        head,
        h(`span.dispute-state.dispute-${state.tone}`, { id: `dispute-state-${s.id}`, tabindex: "-1" }, state.label),
        dispute.comment
          ? h(
              "p.my-dispute-comment",
              {},
              t("disputes.teacherSaid"),
              h("span", { translate: "no" }, ` “${dispute.comment}”`),
            )
          : null,
      );
    }
    if (!d.open) {
      return h(
        "li.my-dispute",
        { dataset: { session: s.id } },
        head,
        h(
          "button.btn.btn-small.dispute-open",
          {
            type: "button",
            id: `dispute-open-${s.id}`,
            "aria-label": t(label, { when }),
            onclick: () => change(s.id, { open: true }, `dispute-note-${s.id}`),
          },
          t("disputes.dispute"),
        ),
      );
    }
    const id = `dispute-note-${s.id}`;
    const note = h("textarea.dispute-note", {
      id,
      rows: 3,
      maxlength: MAX_TEXT,
      placeholder: t("disputes.placeholder"),
    });
    note.value = d.text;
    note.addEventListener("input", () => drafts.set(s.id, { ...draft(s.id), text: note.value }));
    return h(
      "li.my-dispute.is-editing",
      { dataset: { session: s.id } },
      head,
      h("label", { for: id }, t("disputes.what")),
      note,
      h(
        "div.dispute-buttons",
        {},
        h(
          "button.btn.btn-primary.dispute-send",
          { type: "button", id: `dispute-send-${s.id}`, disabled: d.busy, onclick: () => send(s.id) },
          d.busy ? t("common.sending") : t("disputes.send"),
        ),
        h(
          "button.btn.dispute-cancel",
          {
            type: "button",
            id: `dispute-cancel-${s.id}`,
            onclick: () => change(s.id, { open: false }, `dispute-open-${s.id}`),
          },
          t("disputes.cancel"),
        ),
      ),
      d.error ? h("p.form-error", { role: "alert" }, d.error) : null,
    );
  }

  return {
    section,
    /** The student's disputes as the listener has them: documents by session id. */
    set(docs) {
      disputes = new Map(docs.map((doc) => [doc.session_id, doc]));
      redraw();
    },
  };
}

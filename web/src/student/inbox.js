// The student's inbox: users/{uid}/inbox newest first (30), live, each entry with the
// course and the session it is about; the unread badge on its tab counts every unread
// entry (a query of its own, not only among the newest 30) and shows once it is known;
// "Mark all read" marks them in one batch, "Mark as read" one; both change only `read`,
// as the rules allow.
import { fmtAgo, fmtClock, fmtDay, fmtTime, toDate } from "../dom.js";
import { t } from "../i18n/index.js";
import { html, useState } from "../ui.js";

export const INBOX_LIMIT = 30;
/** Unread entries counted (and marked read at once) at most: more show as "99+". */
export const UNREAD_LIMIT = 100;

/** Follow the inbox into the store's `inbox` signal; returns the unsubscribe function. */
export function watchInbox({ fs, db }, uid, inbox) {
  const col = fs.collection(db, "users", uid, "inbox");
  const state = { entries: [], unreadEntries: [], loaded: false, unreadLoaded: false };
  const publish = () => {
    inbox.value = {
      entries: state.entries,
      unreadEntries: state.unreadEntries,
      unread: state.unreadEntries.length,
      loaded: state.loaded,
      unreadKnown: state.unreadLoaded,
      error: null,
    };
  };
  const failed = (err) => {
    inbox.value = { ...inbox.value, error: err.code ?? err.message };
  };
  const stops = [
    fs.onSnapshot(
      fs.query(col, fs.orderBy("created_at", "desc"), fs.limit(INBOX_LIMIT)),
      (snap) => {
        state.entries = snap.docs.map((d) => ({ id: d.id, ref: d.ref, ...d.data() }));
        state.loaded = true;
        publish();
      },
      failed,
    ),
    fs.onSnapshot(
      fs.query(col, fs.where("read", "==", false), fs.limit(UNREAD_LIMIT)),
      { includeMetadataChanges: true }, // known once the server has answered, even if nothing changed
      (snap) => {
        state.unreadEntries = snap.docs.map((d) => ({ id: d.id, ref: d.ref }));
        state.unreadLoaded = !snap.metadata.fromCache || state.unreadLoaded;
        publish();
      },
      failed,
    ),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

/**
 * "Distributed Systems · Mon 7 Dec, 09:00": the course and session an entry is about,
 * for the entries whose own text does not name them (written before messages did, and
 * alerts); "" when the text already says it.
 */
export function entryContext(e, courseNames = new Map()) {
  const course = e.course_name || (e.course_id ? courseNames.get(e.course_id) : null) || "";
  if (course && `${e.title ?? ""} ${e.body ?? ""}`.includes(course)) return "";
  const at = toDate(e.session_starts_at);
  const session = at ? t("inbox.sessionAt", { day: fmtDay(at), time: fmtTime(at) }) : "";
  return [course, session].filter(Boolean).join(" · ");
}

/** The inbox view. markRead(entry), markAllRead(entries) -> Promise. */
export function InboxView({ inbox, markRead, markAllRead, courseNames }) {
  const [all, setAll] = useState({ busy: false, error: null });
  let list;
  if (inbox.error) {
    list = html`<li class="form-error">${t("inbox.cannotRead", { error: inbox.error })}</li>`;
  } else if (!inbox.loaded) {
    list = html`<li class="muted">${t("common.loading")}</li>`;
  } else if (!inbox.entries.length) {
    list = html`<li class="muted" id="inbox-empty">${t("inbox.empty")}</li>`;
  } else {
    list = inbox.entries.map(
      (e) => html`<${InboxItem}
        key=${e.id}
        entry=${e}
        read=${!!e.read}
        context=${entryContext(e, courseNames)}
        markRead=${markRead}
      />`,
    );
  }
  async function readAll() {
    setAll({ busy: true, error: null });
    try {
      await markAllRead(inbox.unreadEntries);
      setAll({ busy: false, error: null });
    } catch (err) {
      setAll({ busy: false, error: err.code ?? err.message });
    }
  }
  return html`<section class="card inbox" aria-labelledby="inbox-title">
    <div class="inbox-top">
      <h1 id="inbox-title">${t("inbox.title")}</h1>
      ${
        inbox.unread
          ? html`<button class="btn btn-small" type="button" id="mark-all-read" disabled=${all.busy} onClick=${readAll}>
              ${all.busy ? t("inbox.marking") : t("inbox.markAll", { count: inbox.unread })}
            </button>`
          : null
      }
    </div>
    <p class="muted">${t("inbox.intro")}</p>
    ${all.error ? html`<p class="form-error" role="alert">${t("inbox.markAllFailed", { error: all.error })}</p>` : null}
    <ul class="inbox-list plain" id="inbox-list" aria-busy=${inbox.loaded || inbox.error ? undefined : "true"}>
      ${list}
    </ul>
  </section>`;
}

function InboxItem({ entry: e, read, context, markRead }) {
  const [failed, setFailed] = useState(null);
  const [busy, setBusy] = useState(false);
  const at = toDate(e.created_at);
  async function click() {
    setBusy(true);
    try {
      await markRead(e); // the rules let a student change nothing but `read`
    } catch (err) {
      setBusy(false);
      setFailed(err.code ?? err.message);
    }
  }
  return html`<li
    class="inbox-item"
    data-id=${e.id}
    data-read=${String(read)}
    data-status=${e.status ?? ""}
    data-session=${e.session_id ?? ""}
    data-type=${e.type ?? ""}
    data-kind=${e.kind ?? ""}
  >
    <div class="inbox-head">
      <strong class="inbox-title">
        ${e.type === "alert" ? html`<span class="alert-tag">${t("inbox.alert")}</span>` : null}<span translate=${false}>${e.title ?? t("inbox.message")}</span>
      </strong>
      <time class="muted small" datetime=${at?.toISOString() ?? ""} title=${at ? `${fmtDay(at)} ${fmtClock(at)}` : ""}>
        ${at ? fmtAgo(at) : t("inbox.now")}
      </time>
    </div>
    ${context ? html`<p class="inbox-context muted small" translate=${false}>${context}</p>` : null}
    <p class="inbox-body" translate=${false}>${e.body ?? ""}</p>
    ${
      read
        ? null
        : html`<button class="btn btn-small mark-read" type="button" disabled=${busy && !failed} onClick=${click}>
            ${failed ? t("inbox.markFailed", { error: failed }) : t("inbox.markRead")}
          </button>`
    }
  </li>`;
}

/** The Inbox tab with its unread badge (none until the count is known). */
export function InboxTab({ unread, known = true, current, onClick }) {
  const shown = unread >= UNREAD_LIMIT ? `${UNREAD_LIMIT - 1}+` : String(unread);
  return html`<button
    class="tab"
    type="button"
    id="tab-inbox"
    aria-current=${String(current)}
    onClick=${onClick}
  >
    ${t("inbox.title")}<span
      class=${unread ? "badge" : "badge is-zero"}
      id="inbox-unread"
      hidden=${!known}
      data-known=${String(known)}
      >${shown}</span
    >${known ? html`<span class="visually-hidden">${t("inbox.unreadSuffix")}</span>` : null}
  </button>`;
}

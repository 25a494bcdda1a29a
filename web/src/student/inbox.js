// The student's inbox: users/{uid}/inbox newest first (30), live, with the unread
// badge on its tab; "Mark as read" changes only `read`, as the rules allow.
import { fmtAgo, fmtClock, fmtDay, toDate } from "../dom.js";
import { html, useState } from "../ui.js";

export const INBOX_LIMIT = 30;

/** Follow the inbox into the store's `inbox` signal; returns the unsubscribe function. */
export function watchInbox({ fs, db }, uid, inbox) {
  return fs.onSnapshot(
    fs.query(fs.collection(db, "users", uid, "inbox"), fs.orderBy("created_at", "desc"), fs.limit(INBOX_LIMIT)),
    (snap) => {
      const entries = snap.docs.map((d) => ({ id: d.id, ref: d.ref, ...d.data() }));
      inbox.value = { entries, unread: entries.filter((e) => !e.read).length, loaded: true, error: null };
    },
    (err) => {
      inbox.value = { ...inbox.value, error: err.code ?? err.message };
    },
  );
}

/** The inbox view. markRead(entry) -> Promise. */
export function InboxView({ inbox, markRead }) {
  let list;
  if (inbox.error) {
    list = html`<li class="form-error">Cannot read your inbox: ${inbox.error}</li>`;
  } else if (!inbox.loaded) {
    list = html`<li class="muted">Loading…</li>`;
  } else if (!inbox.entries.length) {
    list = html`<li class="muted" id="inbox-empty">
      No messages yet. After you check in, a confirmation appears here.
    </li>`;
  } else {
    list = inbox.entries.map(
      (e) => html`<${InboxItem}
        key=${e.id}
        entry=${e}
        read=${!!e.read}
        markRead=${markRead}
      />`,
    );
  }
  return html`<section class="card inbox" aria-labelledby="inbox-title">
    <h1 id="inbox-title">Inbox</h1>
    <p class="muted">Messages about your attendance.</p>
    <ul class="inbox-list plain" id="inbox-list" aria-busy=${inbox.loaded || inbox.error ? undefined : "true"}>
      ${list}
    </ul>
  </section>`;
}

function InboxItem({ entry: e, read, markRead }) {
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
        ${e.type === "alert" ? html`<span class="alert-tag">Alert</span>` : null}${e.title ?? "Message"}
      </strong>
      <time class="muted small" datetime=${at?.toISOString() ?? ""} title=${at ? `${fmtDay(at)} ${fmtClock(at)}` : ""}>
        ${at ? fmtAgo(at) : "now"}
      </time>
    </div>
    <p class="inbox-body">${e.body ?? ""}</p>
    ${
      read
        ? null
        : html`<button class="btn btn-small mark-read" type="button" disabled=${busy && !failed} onClick=${click}>
            ${failed ? `Could not mark it read (${failed})` : "Mark as read"}
          </button>`
    }
  </li>`;
}

/** The Inbox tab with its unread badge. */
export function InboxTab({ unread, current, onClick }) {
  return html`<button
    class="tab"
    type="button"
    id="tab-inbox"
    aria-current=${String(current)}
    aria-label=${unread ? `Inbox, ${unread} unread` : "Inbox"}
    onClick=${onClick}
  >
    Inbox<span class=${unread ? "badge" : "badge is-zero"} id="inbox-unread">${String(unread)}</span>
  </button>`;
}

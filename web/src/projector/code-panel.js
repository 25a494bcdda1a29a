// The projector view proper (what the room sees, and what goes full screen): the course,
// the session's division, batch, kind and room when it has them, its date and time, the
// QR code and the typed code beside it, the countdown to the next code and how many have
// checked in, and while it is open how many tried and were refused without checking in
// since, per reason ("3 tried: code expired", tried-panel.js). Nothing personal: no
// name, no email, no status.
// The QR code and the typed code change with the store's `qr`, which rotation.js sets on
// its own timer; only the countdown follows the ticker.
import { fmtDay, fmtTime, toDate } from "../dom.js";
import { t } from "../i18n/index.js";
import { groupCode, SHORT_PATH } from "../qr-token.js";
import { html, useLayoutEffect, useRef } from "../ui.js";
import { sessionFacts } from "./model.js";
import { TriedCounts } from "./tried-panel.js";

export function ProjectorSection({ store, sectionRef }) {
  const session = store.session.value;
  const start = toDate(session?.starts_at);
  const phase = session ? (store.stopped.value ? "stopped" : "open") : undefined;
  const facts = sessionFacts(session);
  return html`<section
    class="projector"
    id="projector"
    aria-label=${t("projector.region")}
    ref=${sectionRef}
    data-state=${phase}
    data-clock=${store.clock.value.known ? "server" : store.clock.value.failed ? "local" : "checking"}
    data-offset-ms=${store.clock.value.known ? String(store.clock.value.offset) : undefined}
  >
    <div class="projector-head">
      <h1 class="course-name" id="course-name" translate=${false}>${store.courseName.value ?? "…"}</h1>
      ${facts ? html`<p class="session-facts" id="session-facts">${facts}</p>` : null}
      <p class="session-when" id="session-when">
        ${session ? `${fmtDay(start)} · ${fmtTime(start)}–${fmtTime(toDate(session.ends_at))}` : ""}
      </p>
    </div>
    <div class="qr-stage">
      <${QrCode} store=${store} />
      <div class="qr-side">
        <p class=${store.failure.value ? "session-state is-error" : "session-state"} id="session-state" role="status">
          ${store.stateText.value}
        </p>
        <div class="typed-box">
          <p class="typed-label">
            ${t("projector.typeAtBefore")}<span class="scan-url" translate=${false}>${location.host}${SHORT_PATH}</span
            >${t("projector.typeAtAfter")}
          </p>
          <${TypedCode} store=${store} />
        </div>
        <${Countdown} store=${store} />
        <${CheckedIn} store=${store} />
        <${TriedCounts} store=${store} />
      </div>
    </div>
  </section>`;
}

/** The code on screen, unless the session failed to load or no code may be shown. */
function shownCode(store) {
  return store.failure.value || store.stopped.value ? null : store.qr.value;
}

/** The QR code: its SVG and the token it carries change in the same commit. */
function QrCode({ store }) {
  const qr = shownCode(store);
  const stopped = !store.failure.value && !!store.stopped.value;
  const el = useRef(null);
  useLayoutEffect(() => {
    if (qr) {
      el.current.innerHTML = qr.svg;
    } else if (stopped) {
      const none = document.createElement("p");
      none.className = "qr-stopped";
      none.textContent = t("projector.noCode");
      el.current.replaceChildren(none);
    } else {
      el.current.replaceChildren();
    }
  }, [qr, stopped]);
  return html`<div
    ref=${el}
    class="qr"
    id="qr"
    role="img"
    aria-label=${t("projector.qrLabel")}
    data-token=${qr?.token}
    data-window=${qr ? String(qr.window) : undefined}
    data-link=${qr?.link}
  ></div>`;
}

function TypedCode({ store }) {
  const qr = shownCode(store);
  const text = qr ? groupCode(qr.code) : store.failure.value || store.stopped.value ? "" : "··· ···";
  return html`<p
    class="typed-code"
    id="typed-code"
    aria-label=${t("projector.codeLabel")}
    data-code=${qr?.code}
    data-window=${qr ? String(qr.window) : undefined}
  >
    ${text}
  </p>`;
}

function Countdown({ store }) {
  const code = store.code.value;
  const running = code && !code.stopped && shownCode(store);
  return html`<div class="rotation">
    <div class="bar" aria-hidden="true">
      <span class="bar-fill" style=${{ transform: `scaleX(${running ? code.left / code.rotation : 0})` }}></span>
    </div>
    <p class="countdown" id="countdown" aria-hidden="true">${running ? t("projector.newCodeIn", { seconds: Math.ceil(code.left) }) : ""}</p>
  </div>`;
}

/** "N checked in": a number, the room's only figure. */
function CheckedIn({ store }) {
  const n = store.tally.value.total;
  return html`<p class="checked-in" aria-live="off">
    <strong id="count-total">${String(n)}</strong><span>${t("projector.checkedIn")}</span>
  </p>`;
}

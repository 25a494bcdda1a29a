// The check-in view: scan the code on the teacher's screen with the camera, type its
// six digits, or paste a token or link (under a disclosure); then the phone's recent
// scans and the notifications card.
import { cameraAvailable, startScanner } from "../camera.js";
import { fmtTime } from "../dom.js";
import { language, t } from "../i18n/index.js";
import { notificationsCard } from "../push.js";
import { CODE_DIGITS, extractToken, normalizeCode, parseToken } from "../qr-token.js";
import { outcomeFor } from "../scan-api.js";
import { html, Island, useEffect, useFocusOnArrival, useRef, useState } from "../ui.js";
import { statusWord } from "./result-card.js";

/** After this long with the camera open and no code read, the student is told what to do. */
export const HINT_MS = 5000;

/** checkIn({kind, value}) sends a scan; cameraOpen is the store's signal. */
export function CheckInForm({ ctx, user, recent, checkIn, cameraOpen }) {
  const [codeError, setCodeError] = useState("");
  const [pasteError, setPasteError] = useState("");
  const [camera, setCamera] = useState({ open: false, status: cameraAvailable() ? "" : null });
  const [hint, setHint] = useState(false);
  const [zoom, setZoom] = useState(null); // {min, max, step, value} where the camera offers one
  const hintTimer = useRef(null);
  const video = useRef(null);
  const scanner = useRef(null);
  const codeInput = useRef(null);
  const pasteInput = useRef(null);
  const heading = useRef(null);
  useFocusOnArrival(heading); // after the sign-in: Tab goes to the camera, then the code

  function stopCamera() {
    scanner.current?.stop();
    scanner.current = null;
    cameraOpen.value = false;
    clearTimeout(hintTimer.current);
    setHint(false);
    setZoom(null);
  }
  useEffect(() => stopCamera, []); // the view goes: the camera goes too

  function closeCamera() {
    stopCamera();
    setCamera({ open: false, status: "" });
  }

  /** From the hint: the camera goes, the code field takes the focus. */
  function typeInstead() {
    closeCamera();
    codeInput.current?.focus();
  }

  async function openCamera() {
    setCodeError("");
    setCamera({ open: true, status: t("checkin.startingCamera") });
    cameraOpen.value = true;
    try {
      scanner.current = await startScanner(video.current, (text) => {
        const token = extractToken(text);
        if (!parseToken(token)) {
          setCamera({
            open: true,
            status: t("checkin.notRollcallQr"),
          });
          return false;
        }
        checkIn({ kind: "qr", value: token });
        return true;
      });
      setCamera({ open: true, status: t("checkin.pointCamera") });
      setZoom(scanner.current.zoom);
      // no code read after a while: too far (or too small on the screen) for this camera
      hintTimer.current = setTimeout(() => setHint(true), HINT_MS);
    } catch (err) {
      stopCamera();
      setCamera({
        open: false,
        status: err?.name === "NotAllowedError" ? t("checkin.cameraRefused") : t("checkin.cameraFailed"),
      });
    }
  }

  function submitTyped(ev) {
    ev.preventDefault();
    const code = normalizeCode(codeInput.current.value);
    if (!code) {
      setCodeError(t("checkin.typeDigits", { digits: CODE_DIGITS }));
      codeInput.current.focus();
      return;
    }
    checkIn({ kind: "code", value: code });
  }

  function submitPasted(ev) {
    ev.preventDefault();
    const token = extractToken(pasteInput.current.value);
    if (!token) {
      setPasteError(t("checkin.pasteFirst"));
      pasteInput.current.focus();
      return;
    }
    checkIn({ kind: "qr", value: token });
  }

  const noCamera = camera.status === null;
  return html`<section class="card scan-card" aria-labelledby="scan-title">
      <h1 id="scan-title" tabindex="-1" ref=${heading}>${t("checkin.title")}</h1>
      <p class="muted">${t("checkin.intro")}</p>
      <button
        class="btn btn-primary btn-big"
        type="button"
        id="scan-camera"
        disabled=${noCamera}
        hidden=${camera.open}
        onClick=${openCamera}
      >
        ${t("checkin.scanCamera")}
      </button>
      <video
        ref=${video}
        class="camera"
        id="camera"
        playsinline
        muted
        hidden=${!camera.open}
        aria-label=${t("checkin.cameraPreview")}
      ></video>
      ${
        camera.open && zoom
          ? html`<div class="camera-zoom">
              <label for="camera-zoom">${t("checkin.zoom")}</label>
              <input
                id="camera-zoom"
                type="range"
                min=${zoom.min}
                max=${zoom.max}
                step=${zoom.step}
                defaultValue=${zoom.value}
                onInput=${(ev) => scanner.current?.setZoom(Number(ev.currentTarget.value)).catch(() => {})}
              />
            </div>`
          : null
      }
      <div class="notice camera-hint" id="camera-hint" role="status" hidden=${!(camera.open && hint)}>
        <p>
          <strong>${t("checkin.hintTitle")}</strong>${" "}
          ${zoom ? t("checkin.hintZoom", { digits: CODE_DIGITS }) : t("checkin.hintCloser", { digits: CODE_DIGITS })}
        </p>
        <button class="btn btn-small" type="button" id="camera-type-instead" onClick=${typeInstead}>${t("checkin.typeInstead")}</button>
      </div>
      <button class="btn" type="button" hidden=${!camera.open} onClick=${closeCamera}>${t("checkin.stopCamera")}</button>
      <p class="muted small" id="camera-status" role="status">
        ${noCamera ? t("checkin.noCamera") : camera.status}
      </p>
      <form class="code-form" id="typed-form" novalidate onSubmit=${submitTyped}>
        <label for="typed-code">${t("checkin.orType")}</label>
        <p class="muted small" id="typed-help">${t("checkin.typedHelp", { digits: CODE_DIGITS })}</p>
        <input
          ref=${codeInput}
          class="code-input"
          id="typed-code"
          name="typed-code"
          type="text"
          inputmode="numeric"
          pattern="[0-9 ]*"
          maxlength=${CODE_DIGITS + 2}
          autocomplete="one-time-code"
          enterkeyhint="send"
          placeholder="000000"
          aria-describedby="typed-help typed-error"
          onInput=${() => codeError && setCodeError("")}
        />
        <p class="form-error" id="typed-error" role="alert">${codeError}</p>
        <button class="btn btn-primary" type="submit" id="typed-submit">${t("checkin.submitCode")}</button>
      </form>
      <details class="paste" id="paste">
        <summary>${t("checkin.pasteInstead")}</summary>
        <form class="code-form" id="code-form" onSubmit=${submitPasted}>
          <label for="code">${t("checkin.codeOrLink")}</label>
          <p class="muted small" id="code-help">
            ${t("checkin.pasteHelp")}
          </p>
          <input
            ref=${pasteInput}
            id="code"
            name="code"
            type="text"
            required
            autocomplete="off"
            autocapitalize="none"
            spellcheck="false"
            enterkeyhint="send"
            aria-describedby="code-help code-error"
          />
          <p class="form-error" id="code-error" role="alert">${pasteError}</p>
          <button class="btn" type="submit" id="code-submit">${t("checkin.title")}</button>
        </form>
      </details>
    </section>
    <${RecentScans} recent=${recent} />
    <${Island}
      key=${language.value}
      style="display: contents"
      mount=${(el) => mountNotifications(el, ctx, user)}
    />`;
}

function mountNotifications(el, ctx, user) {
  const card = notificationsCard(ctx, user);
  if (card) el.append(card);
}

/** The student's latest decided scans on this phone. */
function RecentScans({ recent }) {
  const latest = recent.slice(0, 3);
  if (!latest.length) return null;
  return html`<section class="card recent" id="recent" aria-labelledby="recent-title">
    <h2 id="recent-title">${t("checkin.recentTitle")}</h2>
    <ul class="plain">
      ${latest.map((e) => {
        const label =
          e.state === "accepted"
            ? t("checkin.recentAccepted", { status: statusWord(e.status ?? "present") })
            : t("checkin.recentRejected", { title: outcomeFor(e.code, e.kind).title });
        return html`<li key=${e.id} data-state=${e.state} data-code=${e.code ?? ""}>
          <span class=${`pill pill-${e.state}`}>${label}</span>
          <span class="muted small">
            ${` ${t(e.kind === "code" ? "checkin.recentTyped" : "checkin.recentQr", { time: fmtTime(new Date(e.taken_at)) })}`}</span
          >
        </li>`;
      })}
    </ul>
  </section>`;
}

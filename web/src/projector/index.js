// A session's two screens, each in its own window with its own store:
// * the projector view (#/session/<id>, this file): what the room sees. The course, the
//   session's division, batch, kind and room, the QR code and typed code, the countdown
//   and how many have checked in; nothing personal. Its toolbar (outside what goes full
//   screen) opens the teacher's panel in a window of its own.
// * the teacher's panel (#/session/<id>/panel, panel.js): the counts, arrivals, rejected
//   scans and the class list with overrides, the close and the export; for the teacher's
//   own screen (or a second window, or a phone), never the wall.
// Modules: controller.js (clock, ticker, listeners, rotation), code-panel.js (the
// projector proper), counts-panel.js, roster-panel.js, rejections-panel.js,
// override-dialog.js, toolbar.js, and store.js / listeners.js / rotation.js / model.js.
// The code is computed in the page (WebCrypto, qr-token.js) on the server's time
// (server-clock.js); all data comes from onSnapshot; close, export and overrides go
// through teacher-api.js.
import { t } from "../i18n/index.js";
import { html, useEffect, useMemo, useRef } from "../ui.js";
import { ProjectorSection } from "./code-panel.js";
import { startSession } from "./controller.js";
import { createProjectorStore } from "./store.js";
import { RoomToolbar } from "./toolbar.js";

export { SessionPanel } from "./panel.js";

export function ProjectorView({ sessionId }) {
  const store = useMemo(() => createProjectorStore(sessionId), [sessionId]);
  const section = useRef(null);

  useEffect(() => {
    document.title = t("projector.docTitle");
    const stop = startSession(store, { people: false, rotate: true });
    const onFullscreen = () => document.body.classList.toggle("is-fullscreen", !!document.fullscreenElement);
    document.addEventListener("fullscreenchange", onFullscreen);
    return () => {
      stop();
      document.removeEventListener("fullscreenchange", onFullscreen);
      document.body.classList.remove("is-fullscreen");
    };
  }, [store]);

  const fullscreen = () =>
    document.fullscreenElement ? document.exitFullscreen() : section.current?.requestFullscreen?.().catch(() => {});
  return html`<${RoomToolbar} store=${store} fullscreen=${fullscreen} />
    <${ProjectorSection} store=${store} sectionRef=${section} />`;
}

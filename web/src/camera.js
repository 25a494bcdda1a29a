// Camera QR scanning: the native BarcodeDetector where the browser has one (Chrome on
// Android), else the jsQR decoder (loaded only when needed).
//
// From the back of a lecture hall the code is small in the frame: every pixel counts.
// The camera is asked for its native resolution (up to 1920x1080), and jsQR reads the
// centre of the frame at that resolution, never a scaled-down whole frame (which halved
// a 720p frame's pixels: the page failed below 3.8 px per module): one frame the centre
// square at 1:1, the next a smaller centre square enlarged 2x (jsQR finds small modules
// better enlarged). Where the camera offers a zoom, the page shows a control for it.

const FRAME_MS = 150;
/** The side of the centre square jsQR reads (px of the camera's frame), at most. */
const CROP_SIDE = 720;
/** How much the second kind of frame enlarges the centre. */
const ENLARGE = 2;

export function cameraAvailable() {
  return !!navigator.mediaDevices?.getUserMedia && window.isSecureContext;
}

/**
 * What jsQR reads of frame number `n` of a vw x vh video: {sx, sy, sw, sh} of the video
 * drawn into dw x dh. Even frames: the centre square (at most CROP_SIDE) at 1:1; odd
 * frames: the centre square of half that side, enlarged ENLARGE times.
 */
export function cropPlan(vw, vh, n) {
  const full = Math.min(vw, vh, CROP_SIDE);
  const side = n % 2 === 0 ? full : Math.round(full / ENLARGE);
  const out = n % 2 === 0 ? side : side * ENLARGE;
  return {
    sx: Math.round((vw - side) / 2),
    sy: Math.round((vh - side) / 2),
    sw: side,
    sh: side,
    dw: out,
    dh: out,
  };
}

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async (video) => {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    };
  } catch {
    return null;
  }
}

async function jsqrDetector() {
  const { default: jsQR } = await import("jsqr");
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let n = 0;
  return async (video) => {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return null;
    const { sx, sy, sw, sh, dw, dh } = cropPlan(vw, vh, n++);
    if (canvas.width !== dw) canvas.width = dw;
    if (canvas.height !== dh) canvas.height = dh;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(video, sx, sy, sw, sh, 0, 0, dw, dh);
    const img = ctx.getImageData(0, 0, dw, dh);
    const code = jsQR(img.data, dw, dh, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  };
}

/** The zoom the camera offers, if any: {min, max, step, value}, else null. */
export function zoomRange(track) {
  const caps = track?.getCapabilities?.();
  const zoom = caps?.zoom;
  if (!zoom || !(zoom.max > zoom.min)) return null;
  const value = track.getSettings?.().zoom ?? zoom.min;
  return { min: zoom.min, max: zoom.max, step: zoom.step || 0.1, value };
}

/**
 * Start the camera into `video` and call onText(text) for every QR code seen until
 * onText returns true (accepted) or stop() is called. Returns {stop, engine, zoom,
 * setZoom(value), width, height}: zoom is null where the camera offers none.
 */
export async function startScanner(video, onText) {
  const stream = await navigator.mediaDevices.getUserMedia({
    // the camera's own resolution, as much of it as it gives: a far code needs the pixels
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1920 }, height: { ideal: 1080 } },
    audio: false,
  });
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
  try {
    video.srcObject = stream;
    video.setAttribute("playsinline", "");
    video.muted = true;
    await video.play();
    const native = await nativeDetector();
    const detect = native ?? (await jsqrDetector());
    const engine = native ? "BarcodeDetector" : "jsQR";
    const [track] = stream.getVideoTracks();
    const loop = async () => {
      if (stopped) return;
      try {
        const text = await detect(video);
        if (text && onText(text)) return stop();
      } catch {
        // a frame that failed to decode: try the next one
      }
      setTimeout(loop, FRAME_MS);
    };
    loop();
    return {
      stop,
      engine,
      zoom: zoomRange(track),
      setZoom: (value) => track.applyConstraints({ advanced: [{ zoom: value }] }),
      width: video.videoWidth,
      height: video.videoHeight,
    };
  } catch (err) {
    stop();
    throw err;
  }
}

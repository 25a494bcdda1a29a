// Camera QR scanning: the native BarcodeDetector where the browser has one (Chrome on
// Android), else the jsQR decoder (loaded only when needed) on downscaled frames.

const FRAME_MS = 150;
const MAX_SIDE = 640;

export function cameraAvailable() {
  return !!navigator.mediaDevices?.getUserMedia && window.isSecureContext;
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
  return async (video) => {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return null;
    const scale = Math.min(1, MAX_SIDE / Math.max(vw, vh));
    const w = Math.round(vw * scale);
    const hgt = Math.round(vh * scale);
    canvas.width = w;
    canvas.height = hgt;
    ctx.drawImage(video, 0, 0, w, hgt);
    const img = ctx.getImageData(0, 0, w, hgt);
    const code = jsQR(img.data, w, hgt, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  };
}

/**
 * Start the camera into `video` and call onText(text) for every QR code seen until
 * onText returns true (accepted) or stop() is called. Returns {stop, engine}.
 */
export async function startScanner(video, onText) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
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
    return { stop, engine };
  } catch (err) {
    stop();
    throw err;
  }
}

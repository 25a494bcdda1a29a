"""Browser fixtures: the web app built into web/dist (served by the test stack's
Hosting emulator), Debian's chromium driven by Playwright, and browser contexts that
carry the test stack's runtime configuration (window.ROLLCALL_CONFIG)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api  # requirements.txt

from tests.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
JSQR = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"
#: axe-core (package.json), run on the page at every screenshot (docs/web-app.md,
#: "Accessibility"; decision 0030).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 level A and AA, and Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: A violation of these impacts fails the test; the others are only written down.
AXE_FAILING = ("critical", "serious")
AXE_IMPACTS = ("critical", "serious", "moderate", "minor")
AXE_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" "),
      html: n.html.slice(0, 200),
      summary: n.failureSummary,
    })),
  }));
}"""

#: A screen this wide or narrower is a phone's: its touch targets are measured too.
PHONE_WIDTH = 480
#: Phone-sized and projector-sized viewports (and a small phone, and a 1080p projector).
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
SMALL_PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
}
PROJECTOR = {"viewport": {"width": 1600, "height": 900}}
HALL = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture(scope="session")
def web_build() -> Path:
    """web/dist, freshly built (a second or two), so the tests see the current source."""
    npm = shutil.which("npm")
    if not npm:
        pytest.fail("npm not found: the browser tests build the web app (npm run build)")
    subprocess.run([npm, "run", "--silent", "build"], cwd=ROOT, check=True, capture_output=True)
    index = ROOT / "web" / "dist" / "index.html"
    assert index.exists()
    return index.parent


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    if not shutil.which("chromium"):
        pytest.fail("chromium not found: `make prereqs` installs it (apt-get install -y chromium)")
    with sync_api.sync_playwright() as pw:
        yield pw


def launch(playwright: Any, extra_args: tuple[str, ...] = ()) -> Any:
    """Debian's chromium (Playwright's own browser download is not available here)."""
    return playwright.chromium.launch(
        executable_path=shutil.which("chromium"), args=[*CHROMIUM_ARGS, *extra_args]
    )


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[Any]:
    b = launch(playwright)
    try:
        yield b
    finally:
        b.close()


def rollcall_config(env: dict[str, str]) -> dict[str, Any]:
    """The runtime configuration of the web app for a stack (see web/src/config.js)."""
    fs_host, fs_port = env["FIRESTORE_EMULATOR_HOST"].rsplit(":", 1)
    return {
        "firebase": {
            "apiKey": "demo-api-key",
            "authDomain": f"{env['GOOGLE_CLOUD_PROJECT']}.firebaseapp.com",
            "projectId": env["GOOGLE_CLOUD_PROJECT"],
            "appId": "1:000000000000:web:0000000000000000000000",
        },
        "scanUrl": env["SCAN_URL"],
        "emulators": {
            "auth": f"http://{env['FIREBASE_AUTH_EMULATOR_HOST']}",
            "firestore": {"host": fs_host, "port": int(fs_port)},
        },
        "messaging": {"local": True},  # the FCM stand-in takes made-up tokens (decision 0010)
        "signIn": {"google": True},  # the button is shown (tests/browser/test_google_signin.py)
    }


#: WCAG 2.2 success criterion 2.5.8 (Target Size, Minimum), in CSS px.
MIN_TARGET = 24

#: Every visible interactive element smaller than MIN_TARGET in either direction, but a
#: link or link-like button inline in running text (the criterion's "inline" exception).
#: A radio or checkbox counts with its label, which takes its clicks.
SMALL_TARGETS = """(min) => {
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[role=button], [tabindex]:not([tabindex='-1'])";
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest("[hidden], [inert], dialog:not([open])")) continue;
    let r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === "hidden") continue;
    if (el.matches(".visually-hidden, .file-input")) continue;  // its label is the target
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      const label = el.closest("label") ?? el.labels?.[0];
      if (label) r = label.getBoundingClientRect();
    }
    if (s.display === "inline") {
      const block = el.parentElement.closest("p, li, td, dd, div");
      const text = block ? block.textContent.replace(el.textContent, "").trim() : "";
      if (text.length > 0) continue;  // inline in a sentence
    }
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      const name = (el.getAttribute("aria-label") || el.textContent).trim().slice(0, 30);
      const what = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
      out.push(`${what} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}"""


def small_targets(page: Any) -> list[str]:
    return page.evaluate(SMALL_TARGETS, MIN_TARGET)


class Web:
    """Opens pages of the app in fresh browser contexts; records errors; screenshots."""

    def __init__(self, browser: Any, env: dict[str, str], name: str) -> None:
        self.browser = browser
        self.url = env["DASHBOARD_URL"].rstrip("/")
        self.config = rollcall_config(env)
        self.name = name
        self.contexts: list[Any] = []
        self.pages: list[Any] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.reading_notice: set[Any] = set()  # pages whose student acknowledges the notice
        #: Violations of a failing impact, one readable line per rule and screenshot.
        self.axe_failures: list[str] = []

    def page(
        self,
        path: str = "/",
        device: dict[str, Any] | None = None,
        browser: Any = None,
        clock: bool | datetime = False,
        read_notice: bool = True,
    ) -> Any:
        """A page in a fresh context. ``clock``: the page runs on Playwright's clock
        (time flows as usual until the test moves it on with ``page.clock``), from the
        given time if it is one (a computer whose clock is off). ``read_notice``: a
        student's privacy notice (shown once per account, decision 0031) is acknowledged
        whenever it comes up before an action, as its owner would; tests of the notice
        itself pass False."""
        context = (browser or self.browser).new_context(**(device or PROJECTOR))
        if isinstance(clock, datetime):
            context.clock.install(time=clock)
        elif clock:
            context.clock.install()
        context.add_init_script(f"window.ROLLCALL_CONFIG = {json.dumps(self.config)};")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        n = len(self.pages)
        page.on("console", lambda msg: self.console.append(f"page {n} {msg.type}: {msg.text}"))
        self.pages.append(page)
        if read_notice:
            self.reading_notice.add(page)
            page.add_locator_handler(page.locator("#notice-accept"), lambda button: button.click())
        page.goto(self.url + path)
        return page

    def sign_in(self, page: Any, email: str, password: str) -> None:
        page.fill("#signin-email", email)
        page.fill("#signin-password", password)
        page.click("#signin-submit")
        page.wait_for_selector("#signout")
        if page in self.reading_notice:
            self.read_notice(page)

    def read_notice(self, page: Any, timeout: float = 10_000) -> None:
        """On the student page, once the user's document is read: acknowledge the
        privacy notice if it shows (a first sign-in), so the test goes on from the view."""
        loaded = """() => document.body.dataset.page !== 'scan'
            || ['loaded', 'failed'].includes(document.body.dataset.profile)
            || document.body.dataset.account === 'unverified'"""
        try:
            page.wait_for_function(loaded, timeout=timeout)
        except sync_api.TimeoutError:
            return  # Firestore unreachable or stalled: the locator handler stays in place
        # From the page, not by Playwright's locator calls: those run the locator handler
        # of the same button first, and would then wait for a dialog that is gone.
        page.wait_for_function(
            """() => {
              if (document.body.dataset.notice !== 'due') return true;
              const button = document.querySelector('#privacy-notice[open] #notice-accept');
              if (button && !button.disabled) button.click();
              return false;
            }""",
            polling=100,
        )

    def shot(self, page: Any, label: str, full_page: bool = False, axe: bool = True) -> Path:
        """A screenshot of the page, and axe-core's check of the same screen
        (``axe=False`` only for a page that is no longer a screen of the app)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{label}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if axe:
            self.axe(page, label)
        return path

    def axe(self, page: Any, label: str) -> list[dict[str, Any]]:
        """Run axe-core on the page as it is; its summary goes to
        test-artifacts/browser/axe/<test>/<label>.json, and each violation of a failing
        impact to ``axe_failures`` (the test fails at its end, listing them all). On a
        phone's screen, also every touch target under 24x24 px (``small_targets``)."""
        if not page.evaluate("typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE))
        violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
        counts = {impact: 0 for impact in AXE_IMPACTS}
        for v in violations:
            counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
        folder = ARTIFACTS / "axe" / self.name
        folder.mkdir(parents=True, exist_ok=True)
        summary: dict[str, Any] = {
            "url": page.url,
            "tags": AXE_TAGS,
            "counts": counts,
            "violations": violations,
        }
        if (page.viewport_size or {}).get("width", 0) <= PHONE_WIDTH:
            small = small_targets(page)
            summary["small_targets"] = small
            self.axe_failures.extend(f"[{label}] touch target under 24x24 px: {t}" for t in small)
        (folder / f"{label}.json").write_text(json.dumps(summary, indent=2) + "\n")
        for v in violations:
            if v["impact"] in AXE_FAILING:
                targets = ", ".join(n["target"] for n in v["nodes"][:8])
                more = len(v["nodes"]) - 8
                self.axe_failures.append(
                    f"[{label}] {v['rule']} ({v['impact']}): {v['help']}; "
                    f"{targets}{f' and {more} more' if more > 0 else ''}; {v['helpUrl']}"
                )
        return violations

    def decode_qr(self, page: Any, selector: str = "#qr") -> str | None:
        """Decode the QR code as rendered on screen (a screenshot of the element,
        decoded by jsQR inside the page)."""
        png = page.locator(selector).screenshot()
        if not page.evaluate("typeof window.jsQR === 'function'"):
            page.add_script_tag(path=str(JSQR))
        return page.evaluate(
            """async (b64) => {
                const img = new Image();
                img.src = "data:image/png;base64," + b64;
                await img.decode();
                const c = document.createElement("canvas");
                c.width = img.naturalWidth; c.height = img.naturalHeight;
                const ctx = c.getContext("2d");
                ctx.drawImage(img, 0, 0);
                const d = ctx.getImageData(0, 0, c.width, c.height);
                const code = window.jsQR(d.data, c.width, c.height);
                return code ? code.data : null;
            }""",
            base64.b64encode(png).decode(),
        )

    def shown_qr(self, page: Any, selector: str = "#qr") -> tuple[str, str | None]:
        """The token the page says it shows and what the screen decodes to, read within
        one rotation window (a rotation between the two reads is retried)."""
        for _ in range(3):
            token = page.get_attribute(selector, "data-token")
            decoded = self.decode_qr(page, selector)
            if page.get_attribute(selector, "data-token") == token:
                return token, decoded
        raise AssertionError("the QR code kept rotating between reads")

    def qr_luma(self, page: Any, width: int, height: int, selector: str = "#qr") -> bytes:
        """The QR code on screen as an 8-bit grey image of width x height (centred on
        white): the Y plane of a fake camera frame."""
        png = page.locator(selector).screenshot()
        grey = page.evaluate(
            """async ([b64, w, h]) => {
                const img = new Image();
                img.src = "data:image/png;base64," + b64;
                await img.decode();
                const c = document.createElement("canvas");
                c.width = w; c.height = h;
                const ctx = c.getContext("2d");
                ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
                const side = Math.min(w, h) * 0.8;
                ctx.drawImage(img, (w - side) / 2, (h - side) / 2, side, side);
                const d = ctx.getImageData(0, 0, w, h).data;
                let out = "";
                for (let i = 0; i < d.length; i += 4) {
                    out += String.fromCharCode(Math.round(
                        0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]));
                }
                return btoa(out);
            }""",
            [base64.b64encode(png).decode(), width, height],
        )
        return base64.b64decode(grey)

    def keep_evidence(self) -> None:
        """After a failure: a screenshot of every open page and the console output,
        so an intermittent failure can be read afterwards."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(self.pages):
            if not page.is_closed():
                try:
                    self.shot(page, f"failed-page{n}", full_page=True, axe=False)
                except Exception as exc:  # the page may be gone or hung
                    self.console.append(f"page {n}: no screenshot: {exc}")
        lines = [*self.console, *self.errors]
        (ARTIFACTS / f"{self.name}-failed-console.txt").write_text("\n".join(lines) + "\n")

    def close(self) -> None:
        for context in self.contexts:
            close_context(context)


def close_context(context: Any) -> None:
    """Close a browser context once its pages have stopped their listeners."""
    for page in context.pages:
        stop_listening(page)
    context.close()


def close_page(page: Any) -> None:
    """Close a page once it has stopped its listeners."""
    stop_listening(page)
    page.close()


#: A page's `pagehide` on the local stack (web/src/config.js): its Firestore listeners
#: stopped, and how many.
PAGEHIDE = """() => {
  const ev = new PageTransitionEvent("pagehide", { persisted: false });
  dispatchEvent(ev);
  return ev.listenersStopped ?? 0;
}"""


class _NothingToStop(Exception):
    pass


def _unlistens(request: Any) -> bool:
    return "Firestore/Listen/channel" in request.url and "removeTarget" in (request.post_data or "")


def stop_listening(page: Any) -> int:
    """Before its context closes, a page tells the Firestore emulator to stop its
    listeners, as the page does at `pagehide`, and waits until the emulator has taken
    that request. The emulator never forgets a listener of a page that is just closed,
    and evaluates it at every write thereafter: over the suite, hundreds of them made
    the last browser tests several times slower (decision 0037). Best effort: a page
    that is hung or offline is closed all the same. Returns how many listeners were
    stopped and their stop taken (0: none, or not taken)."""
    if page.is_closed():
        return 0
    try:
        with page.expect_request_finished(_unlistens, timeout=5_000):
            stopped = page.evaluate(PAGEHIDE)
            if not stopped:
                raise _NothingToStop
    except (_NothingToStop, sync_api.Error):
        return 0
    return int(stopped)


def token_of_link(link: str) -> str:
    """The token a projector's QR link carries (web/src/qr-token.js): the fragment of
    ``<origin>/c#...``, either the token itself or its 30-character compact form (the
    session id's 6 bytes, the window's 4, the MAC's 12, base64url)."""
    fragment = link.split("#", 1)[1]
    if "." in fragment:
        return fragment
    raw = base64.urlsafe_b64decode(fragment + "=" * (-len(fragment) % 4))
    assert len(raw) == 22, fragment
    mac = base64.urlsafe_b64encode(raw[10:]).rstrip(b"=").decode()
    return f"1.s{raw[:6].hex()}.{int.from_bytes(raw[6:10], 'big')}.{mac}"


def pump_until(page: Any, condition: Callable[[], Any], timeout: float = 10) -> Any:
    """Wait until ``condition()`` holds, where what makes it true is a Playwright event
    handler (a route, a CDP event): those run only while Playwright waits on the page,
    so each check waits for the page's next animation frame (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve()))")
    return value


def write_y4m(path: Path, luma: bytes, width: int, height: int, frames: int = 10) -> Path:
    """A greyscale video file for chromium's fake camera (--use-file-for-fake-video-capture)."""
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # read by the web fixture's teardown
    return report


@pytest.fixture
def web(request, browser, stack_env, web_build) -> Iterator[Web]:
    w = Web(browser, stack_env, request.node.name.replace("[", "-").rstrip("]"))
    try:
        yield w
    finally:
        if getattr(request.node, "call_failed", False):
            w.keep_evidence()
        w.close()
    assert not w.errors, w.errors
    assert not w.axe_failures, "axe-core found critical or serious violations:\n" + "\n".join(
        w.axe_failures
    )

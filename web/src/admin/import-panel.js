// Upload, preview, apply: one import's flow on the admin page (the courses file, a
// course's roster, or a term's timetable). Choosing a file previews it (dry run: nothing is written) and shows
// the report (report-view.js); "Apply" is offered only for a preview without errors
// that changes something, and sends the same bytes with the preview's `base` (if the
// stored state moved since, the server refuses: preview again). While the apply runs,
// its progress comes from its imports/{id} document (written in batches by the server);
// then the outcome. Texts: `adminImport.*` in the catalogs (an error is kept as a
// function, so it is worded again when the language changes); file names are data.
import { fileProblem, importErrorText, importFile } from "../admin-api.js";
import { fmt, t } from "../i18n/index.js";
import { html, useEffect, useRef, useState } from "../ui.js";
import { headline, progressOf, reportState } from "./report.js";
import { ReportView } from "./report-view.js";

/** A file's size in words: "812 bytes", "3.4 KB", "1.2 MB". */
function kb(n) {
  const one = { maximumFractionDigits: 1, minimumFractionDigits: 1 };
  if (n < 1024) return t("adminImport.size.bytes", { count: n, size: fmt.number(n) });
  if (n < 1024 * 1024) return t("adminImport.size.kb", { size: fmt.number(n / 1024, one) });
  return t("adminImport.size.mb", { size: fmt.number(n / 1048576, one) });
}

/**
 * kind: "courses" | "roster" | "timetable"; courseId for a roster, termId for a
 * timetable. context() resolves to {scanUrl, idToken}. intro: what the file holds.
 */
export function ImportPanel({ kind, courseId = null, termId = null, title, intro, user, fsx, context }) {
  const prefix = `import-${kind}`;
  // phase: idle | previewing | preview | applying | applied | failed
  const [state, setState] = useState({ phase: "idle" });
  const input = useRef(null);
  const result = useRef(null);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  const seq = useRef({ n: 0, report: null }); // each new report starts its lists on their first page
  const update = (next) => {
    if (!live.current) return;
    if (next.report && next.report !== seq.current.report) seq.current = { n: seq.current.n + 1, report: next.report };
    setState({ ...next, seq: seq.current.n });
  };

  // the outcome or the report takes the focus when it arrives: it is what changed
  useEffect(() => {
    if (["preview", "applied", "failed"].includes(state.phase)) result.current?.focus();
  }, [state.phase, state.report]);

  async function choose(ev) {
    const file = ev.currentTarget.files?.[0];
    ev.currentTarget.value = ""; // choosing the same (fixed) file again is a new choice
    if (!file) return;
    const meta = { name: file.name, size: file.size };
    const problem = fileProblem(file);
    if (problem) {
      update({ phase: "failed", file: meta, error: { text: () => fileProblem(file), code: "file" } });
      return;
    }
    let body;
    try {
      body = new Blob([await file.arrayBuffer()], { type: "text/csv" }); // what is previewed is what is applied
    } catch (err) {
      update({
        phase: "failed",
        file: meta,
        error: {
          text: () => t("adminImport.cannotRead", { name: file.name, error: err.message ?? String(err) }),
          code: "file",
        },
      });
      return;
    }
    await preview(meta, body);
  }

  async function call(args) {
    try {
      return await importFile({ ...(await context()), kind, courseId, termId, ...args });
    } catch (err) {
      return { state: "failed", code: "unauthenticated", message: String(err.message ?? err) };
    }
  }

  async function preview(file, body) {
    update({ phase: "previewing", file, body });
    const answer = await call({ body, dryRun: true });
    if (answer.state === "report" || answer.state === "invalid") {
      update({ phase: "preview", file, body, report: answer.report });
    } else {
      update({ phase: "failed", file, body, error: { text: () => importErrorText(answer), code: answer.code } });
    }
  }

  async function apply() {
    const { file, body, report } = state;
    update({ phase: "applying", file, body, report, progress: null });
    const stop = watchProgress(
      fsx,
      user.uid,
      { kind, courseId },
      (progress) => live.current && setState((s) => (s.phase === "applying" ? { ...s, progress } : s)),
    );
    const answer = await call({ body, dryRun: false, base: report.base });
    stop();
    if (answer.state === "report") {
      update({ phase: "applied", file, body, report: answer.report });
    } else if (answer.state === "invalid") {
      update({
        phase: "preview",
        file,
        body,
        report: answer.report,
        error: {
          text: () => t("adminImport.invalidOnApply"),
          code: "import_invalid",
        },
      });
    } else {
      update({
        phase: "preview",
        file,
        body,
        report,
        error: { text: () => importErrorText(answer), code: answer.code },
      });
    }
  }

  const { phase, file, report, error, progress } = state;
  const can = report ? reportState(report) : null;
  // where the Apply button was: the progress while applying
  const progressBar =
    phase === "applying"
      ? html`<div class="import-progress" role="status" id=${`${prefix}-progress`}>
          <p>${progress?.text ?? t("adminImport.applying")}</p>
          <progress
            max=${progress?.total || undefined}
            value=${progress?.total ? progress.done : undefined}
            aria-label=${t("adminImport.progress")}
          ></progress>
        </div>`
      : null;
  const actions =
    phase === "preview" && can && (can.canApply || error)
      ? html`<div class="import-actions">
    ${
      can.canApply
        ? html`<button class="btn btn-primary" type="button" id=${`${prefix}-apply`} onClick=${apply}>
            ${t("adminImport.apply", { name: file.name })}
          </button>`
        : null
    }
    ${
      error
        ? html`<button class="btn" type="button" id=${`${prefix}-repreview`} onClick=${() => preview(file, state.body)}>
            ${t("adminImport.previewAgain")}
          </button>`
        : null
    }
  </div>`
      : null;
  const busy = phase === "previewing" || phase === "applying";
  return html`<section class="card import-panel" id=${prefix} aria-labelledby=${`${prefix}-title`} data-phase=${phase}>
    <h2 id=${`${prefix}-title`}>${title}</h2>
    <div class="import-intro">${intro}</div>
    <div class="file-pick">
      <input
        ref=${input}
        class="file-input"
        type="file"
        id=${`${prefix}-file`}
        accept=".csv,text/csv,text/plain"
        disabled=${busy}
        onChange=${choose}
        aria-describedby=${`${prefix}-file-name`}
      />
      <label class="btn btn-primary file-label" for=${`${prefix}-file`} aria-disabled=${busy ? "true" : undefined}>
        ${file ? t("adminImport.chooseAnother") : t("adminImport.choose")}
      </label>
      <span class="file-name muted" id=${`${prefix}-file-name`}>
        ${file ? html`<span translate=${false}>${file.name}</span> · ${kb(file.size)}` : t("adminImport.noFile")}
      </span>
    </div>
    <div class="import-result" ref=${result} tabindex="-1" aria-live="polite">
      ${phase === "previewing" ? html`<p class="muted" role="status" id=${`${prefix}-status`}>${t("adminImport.checking", { name: file.name })}</p>` : null}
      ${
        error
          ? html`<p class="form-error" role="alert" id=${`${prefix}-error`} data-code=${error.code}>${error.text()}</p>`
          : null
      }
      ${
        phase === "applied"
          ? html`<p class="import-outcome" role="status" id=${`${prefix}-outcome`}>
              ✓ <span translate=${false}>${file.name}</span>: <span class="outcome-headline">${headline(report)}</span>
            </p>`
          : null
      }
      ${
        report && phase !== "failed"
          ? html`<${ReportView}
              key=${state.seq}
              report=${report}
              kind=${kind}
              prefix=${prefix}
              showHeadline=${phase !== "applied"}
              actions=${actions ?? progressBar}
            />`
          : null
      }
    </div>
  </section>`;
}

/**
 * The running apply's progress: imports where by == me and status == running (the rules
 * let the person who runs an import read it), the one of this kind and course.
 */
function watchProgress(fsx, uid, { kind, courseId }, onProgress) {
  if (!fsx) return () => {};
  const { db, fs } = fsx;
  return fs.onSnapshot(
    fs.query(fs.collection(db, "imports"), fs.where("by", "==", uid), fs.where("status", "==", "running")),
    (snap) => {
      const doc = snap.docs
        .map((d) => d.data())
        .find((d) => d.kind === kind && (kind !== "roster" || d.course_id === courseId));
      if (doc) onProgress(progressOf(doc));
    },
    () => {}, // progress is a nicety: the apply's answer says how it went
  );
}

// A percentage as a bar with the threshold's mark, beside the figure it shows (so the
// bar is decoration: aria-hidden). The course view's cells use the small one
// ("pct": span.pct-bar), the student's cards the larger ("my": div.my-bar).
import { h } from "../dom.js";

/** The bar of `percent` (0–100) with a mark at `threshold`; null when there is no percentage. */
export function percentBar(percent, threshold, style = "pct") {
  if (typeof percent !== "number" || !Number.isFinite(percent)) return null;
  const [tag, fill, mark] =
    style === "my"
      ? ["div.my-bar", "span.my-bar-fill", "span.my-bar-mark"]
      : ["span.pct-bar", "span.pct-fill", "span.pct-mark"];
  return h(
    tag,
    { "aria-hidden": "true" },
    h(fill, { style: `width:${Math.max(0, Math.min(100, percent))}%` }),
    h(mark, { style: `left:${threshold}%` }),
  );
}

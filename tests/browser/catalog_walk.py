"""The pseudo-language walk (decision 0031): every visible string of a screen is from
a catalog.

Pages run in ``?lang=qps``, where every catalog string and every Intl date is wrapped
in ⟦ ⟧; the walk over visible text nodes and the labels people hear (aria-label,
placeholder, title, alt) returns whatever letters are outside the markers and outside
``translate="no"`` (data: names, emails, course names, codes). Shared by every browser
test that checks a screen's language."""

from __future__ import annotations

from typing import Any

#: The visible text (and read-out labels) that is neither from a catalog nor data.
UNMARKED = """(within) => {
  const root = within ? document.querySelector(within) : document.body;
  if (!root) return [`nothing matches ${within}`];
  const strip = (text) => {
    let prev;
    do { prev = text; text = text.replace(/⟦[^⟦⟧]*⟧/g, ""); } while (text !== prev);
    return text;
  };
  const skipped = (el) => !el || el.closest('[translate="no"], script, style, noscript, template');
  const bad = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (skipped(el) || !el.checkVisibility()) continue;
    if (/\\p{L}/u.test(strip(n.textContent))) bad.push(n.textContent.trim().slice(0, 80));
  }
  const read = "[aria-label], [placeholder], [title], [alt]";
  for (const el of [root, ...root.querySelectorAll(read)]) {
    if (!el.matches(read)) continue;
    if (skipped(el) || !el.checkVisibility()) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const v = el.getAttribute(name);
      if (v && /\\p{L}/u.test(strip(v))) bad.push(`${name}=${v.slice(0, 80)}`);
    }
  }
  return bad;
}"""


def assert_all_from_catalogs(page: Any, screen: str, within: str | None = None) -> None:
    """``within``: a CSS selector, the part of the page to walk (default: all of it)."""
    bad = page.evaluate(UNMARKED, within)
    assert bad == [], f"{screen}: text not from a catalog: {bad}"

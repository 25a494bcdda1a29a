"""The defaulter list as a printable PDF (rollcall.core.reports): the institution's name,
the department and division, the cut-off date, the rules of each course, when it was
made; then the table, which breaks across pages with its header row repeated. A figure
below its threshold is bold, shaded and starred (not marked by colour alone).

fpdf2 with text shaping (HarfBuzz, through uharfbuzz) lays out Devanagari names with
their conjuncts and vowel signs; the Noto fonts it needs ship with the package
(``rollcall/fonts``, SIL Open Font License), so a deployed function has them too.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF

from rollcall.core import exports
from rollcall.core.reports import Defaulters

FONTS = Path(__file__).resolve().parent.parent / "fonts"
BELOW_MARK = " *"
_SHADE = (225, 225, 225)
_HEAD = (220, 228, 240)


def _percent(value: Fraction) -> str:
    return f"{float(value):g} %"


def rules_text(report: Defaulters) -> list[str]:
    """One line per course: its name, threshold (and each kind's own), late weight and
    how excused absences count."""
    lines = []
    for column in report.columns:
        rules = column.rules
        own = "".join(
            f", {kind} {_percent(value)}"
            for kind, value in sorted(rules.min_percent_by_kind.items())
        )
        excused = "not counted" if rules.excused_policy == "not_counted" else "counted as attended"
        lines.append(
            f"{column.code} {column.name}: at least {_percent(rules.min_percent)}{own}; "
            f"a late arrival counts {float(rules.late_weight):g}; excused sessions {excused}"
        )
    return lines


def render(report: Defaulters, institution: str, generated_at: datetime, tz: str) -> bytes:
    """The PDF's bytes."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(10, 10, 10)
    for family, stem in (("NotoSans", "NotoSans"), ("NotoDeva", "NotoSansDevanagari")):
        pdf.add_font(family, "", str(FONTS / f"{stem}-Regular.ttf"))
        pdf.add_font(family, "B", str(FONTS / f"{stem}-Bold.ttf"))
    pdf.set_fallback_fonts(["NotoDeva"], exact_match=False)
    pdf.set_text_shaping(True)
    scope = report.department_name + (
        f" ({report.department_id})" if report.department_id != report.department_name else ""
    )
    if report.division:
        scope += f", division {report.division}"
    pdf.set_title(f"Defaulter list: {scope}, as of {report.as_of.isoformat()}")
    pdf.set_creator("Rollcall")
    pdf.add_page()
    pdf.set_font("NotoSans", "B", 14)
    pdf.multi_cell(0, 7, institution, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", "B", 12)
    pdf.multi_cell(0, 6, f"Defaulter list: {scope}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", "", 9)
    local = generated_at.astimezone(ZoneInfo(tz))
    terms = ", ".join(report.terms)
    lines = [
        f"As of {report.as_of.isoformat()} (sessions held by the end of that day, {tz}), "
        f"term {terms}.",
        *rules_text(report),
        f"{len(report.rows)} students, {sum(r.defaulter for r in report.rows)} below a threshold "
        f"in at least one course. Figures below the threshold are bold, shaded and marked "
        f"{BELOW_MARK.strip()}. Made {local:%Y-%m-%d %H:%M} ({tz}).",
    ]
    for line in lines:
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, report)
    return bytes(pdf.output())


def _table(pdf: FPDF, report: Defaulters) -> None:
    """The table, drawn cell by cell (one line each: fpdf2's table engine wraps and
    measures every cell, about 1 ms a cell, 20 s for 600 students in 8 courses); on a
    page break the header row is drawn again."""
    header = ["Roll no", "PRN", "Name", "Div"]
    widths = [14.0, 22.0, 52.0, 9.0]
    for column in report.columns:
        for kind in (None, *column.kinds):
            header.append(column.label(kind))
            widths.append(16.0)
    header += ["Overall", "Below threshold"]
    widths += [15.0, 40.0]
    scale = min(1.0, pdf.epw / sum(widths))
    widths = [w * scale for w in widths]
    size = 8 if scale >= 0.999 else max(5.5, 8 * scale)
    height = size * 0.55

    def heading() -> None:
        pdf.set_font("NotoSans", "B", size)
        pdf.set_fill_color(*_HEAD)
        top, lines = pdf.get_y(), 2
        for text, width in zip(header, widths, strict=True):
            x = pdf.get_x()
            pdf.rect(x, top, width, lines * height, style="DF")
            pdf.multi_cell(width, height, text, max_line_height=height)
            pdf.set_xy(x + width, top)
        pdf.set_xy(pdf.l_margin, top + lines * height)
        pdf.set_font("NotoSans", "", size)

    widest = size * 0.3528 * 0.8  # mm: no glyph of Noto Sans is wider than 0.8 em

    def fit(text: str, width: float) -> str:
        """The text, cut with an ellipsis if it would not fit the cell (the starred
        cells still show every course below; a name cut this way is in the CSV)."""
        room = width - 2 * pdf.c_margin
        if len(text) * widest <= room or pdf.get_string_width(text) <= room:
            return text
        low, high = 0, len(text)  # the longest prefix that fits with the ellipsis
        while low < high:
            middle = (low + high + 1) // 2
            if pdf.get_string_width(text[:middle] + "…") <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low] + "…"

    heading()
    for row in report.rows:
        if pdf.will_page_break(height):
            pdf.add_page()
            heading()
        texts: list[tuple[str, bool]] = [
            (exports.cell(row.who.get(name)), False)
            for name in ("roll_no", "prn", "name", "division")
        ]
        for column in report.columns:
            cell = row.cells.get(column.course_id)
            for kind in (None, *column.kinds):
                if cell is None:
                    texts.append(("", False))
                    continue
                value = cell.percent if kind is None else cell.by_kind.get(kind)
                below = kind in cell.below
                texts.append((exports.cell(value) + (BELOW_MARK if below else ""), below))
        texts += [(exports.cell(row.overall), False), ("; ".join(row.below(report.columns)), False)]
        for (text, below), width in zip(texts, widths, strict=True):
            if below:
                pdf.set_font("NotoSans", "B", size)
                pdf.set_fill_color(*_SHADE)
            pdf.cell(width, height, fit(text, width), border=1, fill=below)
            if below:
                pdf.set_font("NotoSans", "", size)
        pdf.ln(height)

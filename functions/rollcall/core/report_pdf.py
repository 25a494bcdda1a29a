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
from fpdf.fonts import FontFace

from rollcall.core import exports
from rollcall.core.reports import Defaulters

FONTS = Path(__file__).resolve().parent.parent / "fonts"
BELOW_MARK = " *"
_SHADE = (235, 235, 235)


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
    header = ["Roll no", "PRN", "Name", "Div"]
    widths = [14.0, 22.0, 52.0, 9.0]
    for column in report.columns:
        for kind in (None, *column.kinds):
            header.append(column.label(kind))
            widths.append(16.0)
    header += ["Overall", "Below threshold"]
    widths += [15.0, 40.0]
    usable = pdf.epw
    scale = min(1.0, usable / sum(widths))
    size = 8 if scale >= 0.999 else max(5.5, 8 * scale)
    pdf.set_font("NotoSans", "", size)
    below_style = FontFace(emphasis="BOLD", fill_color=_SHADE)
    head_style = FontFace(emphasis="BOLD", fill_color=(220, 228, 240))
    with pdf.table(
        col_widths=tuple(w * scale for w in widths),
        width=sum(widths) * scale,
        headings_style=head_style,
        line_height=size * 0.55,
        repeat_headings=1,
        text_align="LEFT",
        first_row_as_headings=True,
        align="LEFT",
    ) as table:
        table.row(header)
        for row in report.rows:
            out = table.row()
            for name in ("roll_no", "prn", "name", "division"):
                out.cell(exports.cell(row.who.get(name)))
            for column in report.columns:
                cell = row.cells.get(column.course_id)
                for kind in (None, *column.kinds):
                    if cell is None:
                        out.cell("")
                        continue
                    value = cell.percent if kind is None else cell.by_kind.get(kind)
                    text = exports.cell(value)
                    if kind in cell.below:
                        out.cell(text + BELOW_MARK, style=below_style)
                    else:
                        out.cell(text)
            out.cell(exports.cell(row.overall))
            out.cell("; ".join(row.below(report.columns)))

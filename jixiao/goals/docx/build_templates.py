"""Builds the editable Word template of the 审核意见书 (docxtpl tags) beside this script.

Run: `.venv/bin/python jixiao/goals/docx/build_templates.py`. Users may replace the generated file (or put their
own `goal_review_letter.docx` in DATA_DIR/templates/) keeping the {{ }} / {% %} tags.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
LETTER = HERE / "goal_review_letter.docx"


def build_letter(path: Path = LETTER) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("{{ issuer }}\n项目支出绩效目标审核意见书")
    run.bold = True
    run.font.size = Pt(18)
    number = doc.add_paragraph("{{ number }}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{ department }}:")
    doc.add_paragraph(
        "    根据《财政部关于印发〈中央部门预算绩效目标管理办法〉的通知》(财预〔2015〕88号)等规定,我局对你单位报送的"
        "{{ year }}年度 {{ count }} 个项目的绩效目标进行了审核。审核意见如下:"
    )
    doc.add_paragraph("{%p for p in projects %}")
    heading = doc.add_paragraph()
    heading.add_run("{{ loop.index }}. {{ p.name }}(项目编码 {{ p.code }})").bold = True
    doc.add_paragraph("审核结果:{{ p.grade }};处理意见:{{ p.consequence }}")
    doc.add_paragraph("年度总体目标:{{ p.overall_goal }}")
    doc.add_paragraph("审核意见:{{ p.opinion }}")
    doc.add_paragraph("{%p for f in p.findings %}")
    doc.add_paragraph("    · {{ f }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph(
        "    请按上述意见完善绩效目标,审核结果为“中”的项目修改后重新报送,审核结果为“差”的项目不予安排预算。"
    )
    sign = doc.add_paragraph("{{ issuer }}\n{{ date }}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build_letter())

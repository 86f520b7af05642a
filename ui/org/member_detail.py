"""The selected member's panel (text_member_detail): person, membership, the 发展党员 dates, 职务 with their
history, the 联系户 with their number, and the 转入 / 转出 facts."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication

from app.services.org.members import MemberDetail

from ..common.table_model import format_value

MUTED = "color:gray"


def tr(text: str) -> str:
    return QCoreApplication.translate("member_detail", text)


def _v(value: object) -> str:
    return escape(format_value(value)) or "—"


def _table(pairs: list[tuple[str, object]], per_row: int = 3) -> str:
    rows = [pairs[i : i + per_row] for i in range(0, len(pairs), per_row)]
    cells = [
        "".join(
            f"<td style='color:#555; white-space:nowrap'>{escape(k)}</td>"
            f"<td style='padding-right:18px; white-space:nowrap'>{_v(val)}</td>"
            for k, val in chunk
        )
        for chunk in rows
    ]
    return "<table cellspacing='0' cellpadding='3'>" + "".join(f"<tr>{c}</tr>" for c in cells) + "</table>"


def _heading(text: str) -> str:
    return f"<p style='margin:6px 0 2px 0'><b>{escape(text)}</b></p>"


def _none() -> str:
    return f"<span style='{MUTED}'>{escape(tr('无'))}</span>"


def _posts(d: MemberDetail) -> list[str]:
    if not d.posts:
        return [_none()]
    lines = []
    for p in d.posts:
        until = _v(p.end_on) if p.end_on else escape(tr("今"))
        note = f"　{escape(p.note)}" if p.note else ""
        text = f"{escape(p.org_name)} {escape(p.post)}（{_v(p.start_on)} 至 {until}）{note}"
        lines.append(f"<span style='{MUTED}'>{text}</span>" if p.end_on else text)
    return ["<br>".join(lines)]


def _contacts(d: MemberDetail, band: tuple[int, int] | None) -> list[str]:
    current = [c for c in d.contacts if c.until is None]
    ended = len(d.contacts) - len(current)
    parts = []
    if current:
        count = tr("现联系 {0} 户").format(len(current))
        if band is not None and not d.row.left_on:
            low, high = band
            if len(current) > high:
                count += f"　<span style='color:#c62828'>{escape(tr('超过每名党员联系 {0} 户的上限').format(high))}</span>"
            elif len(current) < low:
                count += f"　<span style='color:#b26a00'>{escape(tr('少于 {0} 户').format(low))}</span>"
        parts.append(count)
        parts.append("<br>".join(
            f"{escape(c.household_number)} {escape(c.head_name or '')} {escape(c.address)}（{_v(c.since)} 起）"
            for c in current
        ))
    else:
        parts.append(_none())
    if ended:
        parts.append(f"<span style='{MUTED}'>{escape(tr('已结束的联系户 {0} 户').format(ended))}</span>")
    return ["<br>".join(parts)]


def _arrival_and_leaving(d: MemberDetail) -> list[str]:
    r, out = d.row, []
    if d.arrived_from or d.arrived_on:
        text = tr("{0} 自 {1} 转入").format(_v(d.arrived_on), escape(d.arrived_from or "—"))
        if d.arrived_letter_no:
            text += tr("，介绍信编号 {0}").format(escape(d.arrived_letter_no))
        out.append(f"<p style='margin:6px 0 2px 0'><b>{escape(tr('转入'))}</b>　{text}</p>")
    if r.left_on:
        kind = "去世" if r.left_kind == "死亡" else (r.left_kind or "离开")
        text = f"{_v(r.left_on)} {escape(kind)}"
        if d.left_to:
            text += tr(" 至 {0}").format(escape(d.left_to))
        if d.left_letter_no:
            text += tr("，介绍信编号 {0}").format(escape(d.left_letter_no))
        if d.left_reason:
            text += tr("；原因：{0}").format(escape(d.left_reason))
        out.append(f"<p style='margin:6px 0 2px 0;color:#8a4b00'><b>{escape(tr('已离开党员名册'))}</b>　{text}</p>")
    return out


def detail_html(d: MemberDetail, band: tuple[int, int] | None = None) -> str:
    """band: the 联系户 range (low, high) per member, to flag a member looking after too many or too few."""
    r = d.row
    person = [
        ("性别", r.gender), ("年龄", r.age), ("民族", d.ethnicity),
        ("身份证号", r.id_number), ("联系电话", r.phone), ("学历", r.education),
    ]
    membership = [
        ("所在支部", r.org_name), ("党小组", r.group_name), ("阶段", r.stage),
        ("党员类型", f"{r.member_type}（{r.management}）" if r.management else r.member_type),
        ("积分类别", r.points_category), ("流出地", d.flow_out_place),
        ("双报到单位", d.dual_report_unit),
    ]
    pipeline = [
        ("申请入党", d.applied_on), ("确定为积极分子", d.activist_on), ("确定为发展对象", d.candidate_on),
        ("入党", r.joined_on), ("转正", r.confirmed_on),
    ]
    parts = [f"<h3 style='margin:2px 0'>{escape(r.name)}"]
    if r.posts:
        parts.append(f"　<span style='color:#c62828;font-weight:normal'>{escape(r.posts)}</span>")
    if r.left_on:
        kind = "去世" if r.left_kind == "死亡" else r.left_kind
        parts.append(f"　<span style='{MUTED}'>（{_v(r.left_on)} {_v(kind)}）</span>")
    parts.append("</h3>")
    parts.append(_table([(tr(k), v) for k, v in person + membership]))
    parts += _arrival_and_leaving(d)
    parts.append(_heading(tr("发展党员各阶段")))
    parts.append(_table([(tr(k), v) for k, v in pipeline]))
    parts.append(_heading(tr("任职（含已离任）")))
    parts += _posts(d)
    parts.append(_heading(tr("联系户")))
    parts += _contacts(d, band)
    if d.note:
        parts.append(f"<p><b>{escape(tr('备注'))}</b>　{escape(d.note)}</p>")
    return "".join(parts)

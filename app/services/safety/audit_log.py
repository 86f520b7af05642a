"""The 操作日志 viewer: filtered, paged queries over AuditEntry and the Excel export (书记 only).

Times are stored in UTC and shown in local time. 身份证号 and phone numbers inside the from → to
details are masked here: the log is read on screen and exported to files that travel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn, LedgerResult, write_ledgers
from app.io.masking import mask_id_number, mask_phone
from app.models import AuditEntry, Operator

from ..access import require_role
from ..units import get_unit

ENTITY_LABELS = {
    "resident": "居民", "household": "户", "tag": "户标签", "party_member": "党员", "party_org": "党组织",
    "org_partner": "联建单位", "member_post": "党内职务", "member_contact": "联系户", "unit": "本村信息",
    "setting": "设置", "operator": "操作员", "database": "数据库", "grid": "网格", "grid_post": "网格岗位",
    "import_batch": "导入", "notice": "公示", "ticket": "工单", "point_entry": "积分", "star_round": "星级评选",
    "household_point_entry": "乡风文明积分", "org_membership": "组织关系", "objection": "公示异议",
    "assessment": "积分评定", "meeting": "会议", "point_rule": "积分规则", "star_category": "星类",
    "star_application": "星级申报", "star_change": "加星减星", "ticket_category": "诉求类别",
    "service_item": "代办事项", "calendar_override": "工作日设置", "ledger": "台账", "service_cards": "便民服务卡",
    "village_map": "村地图",
    "body_post": "村务任职", "body_term": "届期",
    "decision": "村级重大事项", "affairs_meeting": "村务会议", "attachment": "附件", "topic": "环形互动议题",
    "topic_opinion": "群众意见", "topic_progress": "落实进展",
    "appraisal_round": "民主评议", "appraisal_result": "民主评议结果",
    "mobile_member": "流动党员", "lost_contact": "失联党员", "lost_contact_search": "失联党员查找",
    "transfer_letter": "组织关系介绍信",
    "dues_rule": "党费规则", "dues_assessment": "党费核定", "dues_payment": "党费交纳",
    "package": "上报数据包", "village_key": "上报密钥",
}
ACTION_LABELS = {
    "create": "新增", "update": "修改", "close": "撤销/结束", "status": "状态变更", "stage": "发展阶段",
    "password": "设置密码", "password_reset": "重置密码", "login": "登录", "login_failed": "登录失败",
    "restore": "恢复数据",
    "import": "导入", "undo": "撤销导入", "void": "作废", "demo": "生成演示村",
    "baseline": "开始校验",
    "delete": "删除", "export": "导出", "publish": "发布", "reprint": "重新生成", "move": "转移", "head": "变更户主",
    "split": "分户", "step": "进入下一阶段", "reopen": "重新打开",
    # 工单 steps, named as the ticket timeline names them (tickets.workflow.ACTIONS)
    "assign": "派单", "reassign": "改派", "accept": "接单", "escalate": "上报", "reply": "答复", "solve": "现场解决",
    "visit": "回访", "cancel": "撤销",
}
# A code this version does not know (written by a newer one): a plain word, never the code itself.
OTHER_ACTION = "其他操作"
OTHER_ENTITY = "其他记录"


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, OTHER_ACTION)


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, OTHER_ENTITY)

FIELD_LABELS = {
    "name": "姓名", "id_number": "身份证号", "phone": "联系电话", "gender": "性别", "birth_date": "出生日期",
    "ethnicity": "民族", "education": "学历", "household_id": "所属户", "relation": "与户主关系", "note": "备注",
    "status": "状态", "status_date": "状态日期", "status_note": "状态说明", "number": "户号",
    "address": "门牌/住址", "grid_id": "网格", "map_x": "地图横坐标", "map_y": "地图纵坐标", "tags": "标签",
    "closed_on": "撤销/销户日期", "close_reason": "原因", "kind": "类型", "code": "编码", "parent_id": "上级组织",
    "established_on": "成立日期", "sort_order": "排序", "org_id": "所在支部", "group_id": "党小组",
    "stage": "阶段", "applied_on": "申请入党日期", "activist_on": "确定为积极分子日期",
    "candidate_on": "确定为发展对象日期", "joined_on": "入党日期", "confirmed_on": "转正日期",
    "member_type": "党员类型", "points_category": "积分类别", "flow_out_place": "流出地",
    "dual_report_unit": "双报到单位", "display_name": "姓名", "role": "角色", "active": "启用",
    "grid_ids": "负责网格", "contact_person": "联系人", "contact_phone": "联系电话", "notice_days": "公示天数",
    "township": "乡镇(街道)", "county": "县(区)", "objection_box": "意见箱位置", "notice_workdays": "按工作日计算",
    "committee_phone": "村委会电话", "can_write": "镇级可修改", "district": "所属片区",
    # 党员 离开/转入, 会议, 积分规则, 星级申报, 工单, 网格 (every field a service snapshots: tests/app/safety)
    "left_on": "离开日期", "left_kind": "离开类型", "left_reason": "离开原因", "left_to": "转往",
    "left_letter_no": "介绍信编号", "arrived_on": "转入日期", "arrived_from": "转自",
    "arrived_letter_no": "转入介绍信编号", "held_at": "会议时间", "topic": "议题", "theme": "主题",
    "place": "地点", "minutes": "会议记录", "scope": "适用对象", "points": "分值", "points_min": "最低分值",
    "points_max": "最高分值", "categories": "适用类别", "yearly_cap": "年度上限", "evidence_required": "须填佐证",
    "evidence": "佐证材料", "trigger": "自动计分", "recommender": "推荐人", "criteria": "评选标准",
    "due_hours": "办理时限（小时）", "due_at": "办理期限", "color": "颜色", "polygon": "网格边界", "source": "来源",
    # 村务: posts in the village bodies and their 届期
    "body": "班子", "term_id": "届期", "group_name": "村民小组", "since": "任职日期", "starts_on": "开始日期",
    "ends_on": "结束日期", "households": "联系户",
    # 组织关系介绍信 (转出 / 转入)
    "letter_no": "介绍信编号", "issued_on": "开具日期", "age": "年龄", "member_status": "正式/预备党员",
    "from_org": "由（党组织）", "to_org": "去（党组织）", "dues_paid_to": "党费交到", "valid_days": "有效期（天）",
    "receipt_on": "回执日期", "cancelled_on": "作废日期", "cancel_reason": "作废原因",
    # 民主评议党员: the round and each member's result
    "held_on": "评议日期", "voters": "发出测评票", "grade": "评议结果", "decided_on": "确定日期", "reason": "理由",
    "follow_up": "后续处理", "follow_up_due": "改正期限", "follow_up_note": "处理情况", "follow_up_done_on": "处理日期",
    # 村务: 四议两公开 and 环形互动
    "result_text": "实施结果", "implemented_on": "实施日期", "responsible_id": "落实责任人", "due_on": "落实时限",
    # 流动党员 and 失联党员
    "employer": "工作单位", "other_org": "流入地/原所在党组织", "keeper_id": "支部联系人",
    "participation": "参加组织生活方式", "dues_way": "交纳党费方式", "dual_report": "双报到", "until": "返回/离开日期",
    "end_note": "返回/离开说明", "lost_since": "失联时间", "outcome": "处理结果", "outcome_on": "处理日期",
    "outcome_note": "处理说明", "searched_on": "查找日期", "method": "查找方式", "result": "查找结果", "by": "查找人",
}
OTHER_FIELD = "其他内容"  # a field this version has no name for: never its code
_MASKED = {"id_number": mask_id_number, "phone": mask_phone, "contact_phone": mask_phone}
NO_OPERATOR = -1  # filter value: entries made with no operator (command line, automatic)


@dataclass
class AuditQuery:
    unit_id: int | None = None  # None: every unit; entries with no unit (restore) always show
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    operator_id: int | None = None  # None: all; NO_OPERATOR: made without an operator
    entity: str | None = None
    text: str = ""  # in the summary
    descending: bool = True  # newest first


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # local time
    operator: str
    action: str
    entity: str
    entity_id: int | None
    summary: str
    changes: str  # "联系电话：138****5678 → 139****1234；…"


def _utc(day: date, end: bool = False) -> datetime:
    local = datetime.combine(day + timedelta(days=1) if end else day, time.min).astimezone()
    return local.astimezone(UTC).replace(tzinfo=None)


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _show(field: str, value: object) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    mask = _MASKED.get(field)
    return mask(text) if mask else text


def changes_text(detail: object) -> str:
    """The from → to of an entry's detail, in Chinese, personal numbers masked."""
    if not isinstance(detail, dict) or not isinstance(detail.get("changes"), dict):
        return ""
    parts = []
    for field, change in detail["changes"].items():
        if isinstance(change, dict):
            label = FIELD_LABELS.get(field, OTHER_FIELD)
            parts.append(f"{label}：{_show(field, change.get('from'))} → {_show(field, change.get('to'))}")
    return "；".join(parts)


def _where(q: AuditQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if q.unit_id is not None:
        where.append(or_(AuditEntry.unit_id == q.unit_id, AuditEntry.unit_id.is_(None)))
    if q.date_from is not None:
        where.append(AuditEntry.at >= _utc(q.date_from))
    if q.date_to is not None:
        where.append(AuditEntry.at < _utc(q.date_to, end=True))
    if q.operator_id == NO_OPERATOR:
        where.append(AuditEntry.operator_id.is_(None))
    elif q.operator_id is not None:
        where.append(AuditEntry.operator_id == q.operator_id)
    if q.entity:
        where.append(AuditEntry.entity == q.entity)
    if q.text.strip():
        # autoescape: a typed % or _ is looked for as itself, not as a wildcard
        where.append(AuditEntry.summary.contains(q.text.strip(), autoescape=True))
    return where


def count_audit(s: Session, q: AuditQuery) -> int:
    require_role(s, "admin", action="查看操作日志")
    return s.scalar(select(func.count(AuditEntry.id)).where(*_where(q))) or 0


def list_audit(s: Session, q: AuditQuery, offset: int = 0, limit: int = 200) -> list[AuditRow]:
    require_role(s, "admin", action="查看操作日志")
    order = AuditEntry.id.desc() if q.descending else AuditEntry.id.asc()
    stmt = (
        select(AuditEntry, Operator.display_name)
        .outerjoin(Operator, Operator.id == AuditEntry.operator_id)
        .where(*_where(q)).order_by(order).offset(offset).limit(limit)
    )
    return [_row(e, name) for e, name in s.execute(stmt)]


def _row(e: AuditEntry, operator: str | None) -> AuditRow:
    return AuditRow(
        id=e.id, at=_local(e.at), operator=operator or "（系统）", action=action_label(e.action),
        entity=entity_label(e.entity), entity_id=e.entity_id, summary=e.summary,
        changes=changes_text(e.detail),
    )


def audit_filters(s: Session, unit_id: int) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """(operators as (id, name), entities as (key, 中文)) that occur in the log, for the filter boxes."""
    require_role(s, "admin", action="查看操作日志")
    ops = [(o.id, o.display_name) for o in s.scalars(
        select(Operator).where(Operator.unit_id == unit_id).order_by(Operator.id))]
    keys = s.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity))
    return ops, [(k, entity_label(k)) for k in keys]


AUDIT_COLUMNS = (
    LedgerColumn("序号", "id", "int"),
    LedgerColumn("时间", lambda r: r.at.strftime("%Y-%m-%d %H:%M:%S")),
    LedgerColumn("操作员", "operator"),
    LedgerColumn("操作", "action"),
    LedgerColumn("对象", "entity"),
    LedgerColumn("对象编号", "entity_id", "int"),
    LedgerColumn("摘要", "summary", width=40),
    LedgerColumn("修改内容（原值 → 新值）", "changes", width=48),
)


def export_audit(s: Session, unit_id: int, q: AuditQuery, path: Path, **kwargs: Any) -> LedgerResult:
    """The filtered log as an Excel 台账 (same layout as every ledger). kwargs: progress, cancel."""
    require_role(s, "admin", action="导出操作日志")
    total = count_audit(s, q)

    def rows() -> Any:
        stmt = (
            select(AuditEntry, Operator.display_name)
            .outerjoin(Operator, Operator.id == AuditEntry.operator_id)
            .where(*_where(q)).order_by(AuditEntry.id.desc() if q.descending else AuditEntry.id.asc())
            .execution_options(yield_per=500)
        )
        for e, name in s.execute(stmt):
            yield _row(e, name)

    ledger = Ledger(name="操作日志", columns=AUDIT_COLUMNS, rows=rows(), count=total, count_unit="条")
    return write_ledgers(path, get_unit(s, unit_id), [ledger], **kwargs)

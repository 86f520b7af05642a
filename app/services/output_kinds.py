"""Which ledgers (台账) and notices (公示) exist, with their Chinese names.

Kept light (no openpyxl/reportlab imports) so the command line can list them at start. An area adds
its ledger or notice here and its builder in ledgers.BUILDERS / notices.BUILDERS.
"""

from __future__ import annotations

LEDGER_KINDS: dict[str, str] = {
    "members": "党员花名册",
    "orgs": "党组织设置情况",
    "households": "居民户籍台账",
    "grid-posts": "网格员信息表",
    "grids": "网格划分情况表",
    "member-contacts": "党员联系户台账",
    "stars": "星级文明户台账",
    "star-awards": "星级文明户命名授牌名单",
    "star-stats": "星级文明户统计表",
    "points": "党员积分台账",
    "point-entries": "党员积分明细",
    "meetings": "三会一课记录台账",
    "meeting-attendance": "党员参加组织生活情况（三必到）",
    "point-follow-ups": "党员积分评定约谈劝退名单",
    "household-points": "乡风文明积分台账",
    "household-point-entries": "乡风文明积分明细",
    "tickets": "工单台账（民生受理台账）",
    "ticket-rates": "工单分类统计表",
    "ticket-services": "党员代办服务台账",
    "ticket-monthly": "工单办理情况月度统计表",
    "village-bodies": "村「两委」班子成员名册",
    "representatives": "村民代表名册",
    "topics": "环形互动议题台账",
    "decisions": "四议两公开台账",
    "representative-meetings": "村民代表会议记录",
    "appraisal": "民主评议党员情况统计表",
    "appraisal-members": "民主评议党员测评明细",
    "dues": "党费收缴台账",
    "party-stats": "党内统计表",
    "mobile-members": "流动党员台账",
    "lost-members": "失联党员台账",
    "transfers": "组织关系转接台账",
}

# Ledgers a township stacks village after village (镇级台账, township.township_ledgers): one row per person,
# household or record. Left out: those with their own 小计 rows, several sheets, or a rate in the 合计.
TOWNSHIP_LEDGER_KINDS: tuple[str, ...] = (
    "members", "orgs", "households", "grid-posts", "grids", "member-contacts", "star-awards", "points",
    "point-entries", "point-follow-ups", "household-points", "household-point-entries", "tickets",
    "ticket-services", "village-bodies", "representatives", "topics", "decisions", "representative-meetings",
    "appraisal-members", "mobile-members", "lost-members", "transfers",
)

# Notices the program builds from the data (the CLI's `notice KIND`), in menu order.
NOTICE_KINDS: dict[str, str] = {
    "party-candidates": "发展党员公示",
    "grid-contacts": "网格员联系方式公示",
    "stars": "星级文明户评选结果公示",
    "points": "党员积分排名公示",
    "household-points": "乡风文明积分排名公示",
    "dues": "党费交纳情况公示",
}

# Every kind an archived Notice row may carry (models.notices.NOTICE_KINDS), for labels.
NOTICE_LABELS: dict[str, str] = {
    **NOTICE_KINDS,
    "stars": "星级文明户公示",
    "points": "党员积分公示",
    "household-points": "乡风文明积分公示",
    "topic": "环形互动议题公示",
    "open-affairs": "村务公开",
    "decision": "决议公开",
    "decision-result": "实施结果公开",
    "other": "其他公示",
}

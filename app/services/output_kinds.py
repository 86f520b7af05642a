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
}

# Notices the program builds from the data (the CLI's `notice KIND`), in menu order.
NOTICE_KINDS: dict[str, str] = {
    "party-candidates": "发展党员公示",
    "grid-contacts": "网格员联系方式公示",
}

# Every kind an archived Notice row may carry (models.notices.NOTICE_KINDS), for labels.
NOTICE_LABELS: dict[str, str] = {
    **NOTICE_KINDS,
    "stars": "星级文明户公示",
    "points": "党员积分公示",
    "other": "其他公示",
}

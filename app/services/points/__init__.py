"""党员积分 and 三会一课, 年度评定, 乡风文明积分: the append-only point ledgers and what they feed.

Public:
    member_points     党员积分 entries, yearly totals, the API other areas (tickets) call
    rules             积分规则 and 评定档次
    meetings          三会一课 / 主题党日 and attendance
    assessments       年度评定: compute → review → publish, 约谈 / 劝退
    household_points  乡风文明积分 of households, scored with the 党小组长
    notice, household_notice    the ranking 公示 drafts (built by notices.archive)
    ledgers, household_ledgers  the area's 台账 (registered with ledgers.export)
Private:
    entries  the append-only ledger mechanics both point ledgers share
"""

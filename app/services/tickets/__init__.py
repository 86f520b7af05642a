"""工单: 群众诉求 and 党员代办 from intake to 回访, their settings, statistics and 台账.

Public:
    workflow  intake and the state machine (派单, 接单, 答复, 回访 …)
    numbers   工单编号 YYYY-NNNN read and checked (year 0, years to come, malformed refused)
    queries   lists, details, timelines, pickers
    catalog   诉求类别 with 办理时限, 代办清单 (editable in 设置)
    stats     办结率, 满意率, 按期办结率 for any period
    ledgers   工单台账 and its statistics sheets (registered with ledgers.export)
"""

"""党务: 党费, 组织关系转接, 流动党员 and 失联党员, 民主评议党员, 党内统计 and 发展党员 timing.

Public:
    dues_rules     the 2008 党费 rules kept per year as editable bands (seeded on first use), the monthly
                   amount of a base (rounded to the 分, ROUND_HALF_UP), money text and 大写金额
    dues           yearly 核定 (one member, bulk, a change from a month with a reason), collection entries
                   with receipt numbers, 作废, each member's months paid and the arrears list (连续六个月)
    dues_outputs   党费收缴台账 (`export dues`), 党费交纳情况公示 (`notice dues`), the receipt PDF, and
                   the 「未按时交纳党费」 point deductions booked from the arrears
    transfers      组织关系转接: 转出 with the 介绍信 (numbered, 作废 and 重开, 回执), 转入 from the letter
                   brought, the 回执 printed; transfers_ledger: 组织关系转接台账 (`export transfers`)
    appraisal      民主评议党员: yearly rounds per 党支部, 自评/互评/民主测评 counts in bulk, the suggested grade
                   (documented rule), the branch's decision, 不合格 follow-up (限期改正, 劝退/除名 via 出党), close
    appraisal_import  the counts from an xlsx (row + column named, nothing half-written)
    appraisal_ledger  民主评议党员情况统计表 and 测评明细 (`export appraisal appraisal-members`)
    mobile         流动党员: 流出 (one open record a member; 党员类型 流动 while away, restored on return) and
                   流入 (双报到), each ended by a date, never deleted
    lost           失联党员: lost since, search record, outcome (停止党籍/除名/死亡 through end_membership;
                   停止党籍 from six months lost), the 工作台's 失联满六个月 count
    ledgers_mobile 流动党员台账 (`export mobile-members`), 失联党员台账 (`export lost-members`)
    party_stats    党内统计 yearly figures at 31 December, one sheet a table (`export party-stats`)
    development    发展党员 timing: 培养考察满一年, 发展对象公示 5 工作日, 预备期 (due dates and warnings, the
                   工作台's 培养期不足一年 line)
"""

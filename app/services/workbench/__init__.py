"""工作台: the secretary's home page — what needs doing today, and the year's key figures (queries only).

Public:
    today     the 今日待办 lines: each a count (one COUNT query) and the list behind it (page + filter)
    schedule  三会一课 behind schedule (支委会/党小组会 monthly, 党员大会/党课 quarterly; a unit Setting)
    figures   the year's key figures (党员, 户, 星级, 积分档次, 办结率/满意率) and the 述职 summary PDF
"""

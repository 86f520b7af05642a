"""星级文明户: the yearly round in five steps, applications and their review, 公示, 加星/减星, statistics.

Public:
    rounds        rounds and their steps; level and step labels
    applications  applications of a round and the review of each claimed star
    categories    星类 (editable in 设置)
    publicity     张榜公示, objections, 两委会确定, 备案
    changes       加星/减星 after a round; each household's stars and history
    stats         statistics of a round
    notice        the round's 公示 draft (built by notices.archive)
    ledgers       星级文明户台账, 命名授牌名单, 统计表 (registered with ledgers.export)
"""

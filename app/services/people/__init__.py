"""居民与户: residents and households, their statuses and tags (rows are never deleted).

Public:
    residents          居民 queries and changes; ACTIVE_STATUSES and the person search other areas use
    households         户 queries and changes, 销户, 标签
    status_changes     外出务工 / 返乡 / 迁出 / 死亡 and 更正, with what follows (a 党员's death, a 户主 gone)
    household_changes  变更户主, moving residents to another 户, 分户
    mistakes           删除（误录） of a resident or household entered today that nothing refers to
"""

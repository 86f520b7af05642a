"""居民与户: residents and households, their statuses and tags (rows are never deleted).

Public:
    residents   居民 queries and changes; ACTIVE_STATUSES and the person search other areas use
    households  户 queries and changes, 户主, 标签
"""

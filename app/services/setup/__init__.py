"""开始使用: founding a village (its Unit row, default data, admin account), the first start's set-up and
the 开始使用 checklist.

Public:
    founding     create_unit, ensure_blank (`villagedesk init`)
    first_start  found_village: the village, its top 党组织 and 书记 in one transaction
    checklist    the 开始使用 items, ticked from the data
"""

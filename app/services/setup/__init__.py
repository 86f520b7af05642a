"""开始使用: founding a village (its Unit row, default data, admin account).

Public:
    founding  create_unit
"""

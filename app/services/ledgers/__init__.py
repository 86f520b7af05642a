"""台账: the Excel ledgers for the township, every kind through one export.

Public:
    export  export_ledgers and BUILDERS (each area registers its ledgers here); the roster ledgers
            党员花名册, 党组织设置情况, 居民户籍台账, 网格员信息表
"""

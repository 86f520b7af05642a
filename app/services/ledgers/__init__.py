"""台账: the Excel ledgers for the township, every kind through one export.

Public:
    export  export_ledgers and BUILDERS (each area registers its ledgers here); the roster ledgers
            党员花名册, 党组织设置情况, 居民户籍台账, 网格员信息表
    list_export  导出/打印当前列表: a list as filtered on screen, to xlsx (the 台账 writer) or a PDF to print
"""

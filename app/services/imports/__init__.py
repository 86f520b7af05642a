"""导入: rosters (居民, 户籍, 党员, 网格员, 工单) from xlsx / xls / csv, checked first, applied, undone.

Public:
    flow  check / apply / undo an import, the import history and its reports
    paste rows pasted from Excel / WPS into a list, as a table and layout for flow's check
Private (only flow and each other use them): fields, cells, names, state, journal, rows, bulk,
people_rows, grid_post_rows, ticket_rows — one row handler per kind, through the areas' services.
"""

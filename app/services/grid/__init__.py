"""网格: grids and micro-grids on the village map, grid posts, 联系户 coverage, 便民服务卡, the grid 台账.

Public:
    grids     网格 themselves, their posts (with history), households moving between them
    map_data  what the map page draws, and the village plan picture
    geometry  plane geometry of the map (pure functions, also used by the views)
    coverage  党员联系户 coverage and per-grid statistics
    cards     便民服务卡 PDF
    posts     who holds which post on a day (网格员信息表, the contact notice)
    ledgers   网格划分情况表, 党员联系户台账 (registered with ledgers.export)
"""

"""网格地图: the village map with grids, households and 党员联系户."""

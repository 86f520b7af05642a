"""The demo village's fixed facts: its seed, its "today", its place names, its figures and dates.

Every demo module reads these, so they sit below all of them (no import cycles).
"""

from __future__ import annotations

from datetime import date

SEED = 20261123
DEMO_TODAY = date(2026, 11, 1)  # the demo's "today": ages, terms and statuses are relative to it
# 行政区划代码 of 房山 as it was when a resident was born (GB/T 2260; python-stdnum checks it that way):
# 110205 房山县 (to 1981), 110225 房山县 (1982–1985), 110111 房山区 (from 1986).
AREA_CODES = ((1986, "110111"), (1982, "110225"), (0, "110205"))

UNIT_NAME = "东坟村"
TOWNSHIP = "城关街道"
COUNTY = "房山区"
OBJECTION_BOX = "村委会大门东侧"

N_RESIDENTS = 815
N_MEMBERS = 59
N_PROBATIONARY = 4
MAP_W, MAP_H = 1600, 1000
CONTACTS_SINCE = date(2025, 3, 1)
TERM_START = date(2021, 4, 18)  # 村“两委”换届
GRID_POSTS_START = date(2024, 1, 1)

CN_NUM = "一二三四五六七八九十"
GRID_COLORS = ("#4f8fd6", "#e07b39", "#4caf6a", "#c85a9e", "#d4a93f", "#3fb5b0", "#8a6fd1")

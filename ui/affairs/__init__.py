"""村务决策: 班子与代表, 四议两公开, 环形互动 — the page and its tabs."""

"""工作台: the home page (today's lines and the year's key figures)."""

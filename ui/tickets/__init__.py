"""工单: list, intake, detail with the timeline, 回访, dashboard."""

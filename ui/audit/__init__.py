"""操作日志: the audit viewer page."""

"""开始使用: the first start's set-up dialog and the 开始使用 checklist page."""

"""Helpers every area's views share: lazy table models, table views, search boxes, form dialogs."""

"""导入: the import wizard and the import history (undo a batch)."""

"""党组织与党员: the organisation tree, the roster and the member dialog."""

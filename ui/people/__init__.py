"""居民与户: households, residents and their dialogs."""

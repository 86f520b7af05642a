"""VillageDesk views (PySide6). Reaches data only through app.services via AppContext.call."""

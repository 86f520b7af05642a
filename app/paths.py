"""Where VillageDesk keeps its files: the user's data folder (platformdirs), logs, backups."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "VillageDesk"


def data_dir() -> Path:
    override = os.environ.get("VILLAGEDESK_HOME")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    override = os.environ.get("VILLAGEDESK_HOME")
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    env = os.environ.get("VILLAGEDESK_DB")
    return Path(env) if env else data_dir() / "villagedesk.sqlite"

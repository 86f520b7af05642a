"""VillageDesk core: models, services, input/output. Never imports Qt."""

from importlib import metadata

try:
    __version__ = metadata.version("villagedesk")
except metadata.PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

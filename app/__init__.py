"""VillageDesk core: models, services, input/output. Never imports Qt."""

from __future__ import annotations

import functools


@functools.cache
def _version() -> str:
    # importlib.metadata (and the email package it brings) costs ~20 ms: only the CLI's --version and
    # 帮助 → 关于 ask, so not at every start (tests/ui/test_lazy_pages.py checks)
    from importlib import metadata

    try:
        return metadata.version("villagedesk")
    except metadata.PackageNotFoundError:  # running from a source tree that was not installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'app' has no attribute {name!r}")

"""`villagedesk demo`: building the demo village (or the county-scale set) once cmd_demo has decided it may."""

from __future__ import annotations

from .db import Database


def build(db: Database, scale: str, force: bool) -> int:
    """Wipe (with force: the caller holds the database alone and backed it up) and build; print the summary."""
    from .demo import village as demo
    from .services.setup import founding

    with db.session() as s:
        if force:
            founding.wipe_database(s)
        if scale == "county":
            from .demo import county as demo_county

            summary = demo_county.build_county(s)
        else:
            summary = demo.build_demo(s)
    print("\n".join(summary.lines()))
    return 0

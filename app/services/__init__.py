"""The rules and workflows: plain functions taking a Session, the only way the window and the CLI change data.

One package per area (org, people, grid, stars, points, tickets, notices, ledgers, imports, safety, setup),
each opening with a docstring naming its public modules, beside the shared core every area may use and
which imports no area: context, errors, validation, search, calendar, settings, units, ordering,
output_kinds, audit (the recorder), access (role checks), removal (deleting a record entered by mistake).
"""

from . import access  # noqa: F401  (registers the unit scoping on every Session: see its end)

"""One row of an import file → the services that add or update the record.

Each kind has a handler `(state, row, values) → (action, note)`. Handlers go through the same
service functions the dialogs use (people.add_resident, members.add_member, tickets.create_ticket …), so an
imported row obeys exactly the rules a typed one does; problems come back as ValidationError and the
engine (flow.py) turns them into report lines. Grid posts have no service of their own yet, so their
rules are checked in import_grid_post_rows, from what the models allow.
"""

from __future__ import annotations

from collections.abc import Callable

from .cells import refuse_long_cells
from .grid_post_rows import handle_grid_post
from .people_rows import handle_member, handle_person
from .state import Outcome, RunState, Values
from .ticket_rows import handle_ticket

Handler = Callable[[RunState, int, Values], Outcome]


def _bounded(handler: Handler) -> Handler:
    """The handler, after the row's cells are known to be of a sane length (refuse_long_cells)."""
    def run(state: RunState, row: int, values: Values) -> Outcome:
        refuse_long_cells(state.kind, values)
        return handler(state, row, values)
    return run


HANDLERS: dict[str, Handler] = {kind: _bounded(h) for kind, h in {
    "residents": handle_person, "households": handle_person, "members": handle_member,
    "grid-posts": handle_grid_post, "tickets": handle_ticket,
}.items()}

"""The 党务 commands of `villagedesk` (党费, 组织关系介绍信 …).

cli.py calls register(sub) while it builds the parser and takes COMMANDS into its own table, so a 党务
command is one add_parser call in register() plus its function in COMMANDS, and cli.py stays small.
The 党务 ledgers (dues, transfers, mobile-members, appraisal, party-stats) go through the generic
`export KIND`, not through here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the 党务 commands to `villagedesk`'s sub-command parser."""

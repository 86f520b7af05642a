"""The bundle's start script: the same as the `villagedesk` console script (app.cli:main)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())

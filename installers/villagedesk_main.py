"""The bundle's start script: the same as the `villagedesk` console script (app.cli:main)."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--sheet-reader"]:
        # the bundle running itself as the spreadsheet reader's child process (app/io/sheet_child.py)
        from app.io.sheet_child import child_main

        sys.exit(child_main())
    from app.cli import main

    sys.exit(main())

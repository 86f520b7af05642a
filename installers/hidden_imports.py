"""What the PyInstaller bundle must contain beyond what its import scan finds.

Imported by installers/villagedesk.spec and by tests/app/test_installers.py, so the test checks
the very lists the build uses. Plain data only: no PyInstaller import here.
"""

from __future__ import annotations

# The window is found through the entry-point group "villagedesk.gui" (or, frozen, by the string
# "ui.main" in app/cli.py): nothing imports it statically, so the scan would leave all of `ui` out.
GUI_MODULES = ["ui.main", "ui.main_window", "ui.setup.first_start"]

# Our own packages are bundled whole (every page, dialog and service, also those imported inside
# functions). Alembic's scripts are not modules of the program: they are bundled as files (MIGRATION_FILES).
COLLECT_PACKAGES = ["app", "ui"]
COLLECT_EXCLUDE_PREFIXES = ["app.migrations"]

# Loaded by name at run time, invisible to the scan:
HIDDEN_IMPORTS = [
    *GUI_MODULES,
    # alembic loads env.py and versions/*.py from files; what they import must be in the bundle.
    "app.models",
    "alembic.command",  # app/migrate.py imports alembic only when a migration runs (window start-up)
    "alembic.config",
    "alembic.script",
    "alembic.context",
    "alembic.op",
    "alembic.runtime.environment",
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "alembic.operations.toimpl",
    "sqlalchemy",
    # SQLAlchemy picks the dialect from the URL.
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.engine",  # app/demo/township.py (make_url), imported when the seed township is built
    "sqlalchemy.orm.exc",  # app/services/errors.py: StaleDataError (a record saved meanwhile elsewhere)
    # third-party modules imported inside functions (tests/app/test_installers.py finds them)
    "python_calamine",
    "PySide6",  # ui/main.py finds Qt's zh_CN translations beside the package
    # kept out of window start-up: imported where they are used (exports, printing, 拼音, 公示期)
    "holidays",
    "openpyxl",
    "openpyxl.cell",
    "openpyxl.compat",  # app/io/ledgers.py writes plain body rows as XML itself (issue 11)
    "openpyxl.styles",
    "openpyxl.utils",
    "openpyxl.utils.datetime",
    "openpyxl.worksheet.header_footer",
    "openpyxl.worksheet.properties",
    "openpyxl.worksheet.worksheet",
    "openpyxl.xml.functions",
    "phonenumbers",  # app/services/validation.py checks landlines with it, imported only then (start-up)
    "pypdfium2",
    "pypinyin",
    "pypinyin.core",  # app/text.py converts a word of a cut name itself
    # 上报 keys and packages (app/services/township): Ed25519 signing, imported where a key is used
    "cryptography.exceptions",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    # holidays.China is looked up by name in holidays.registry.
    "holidays.countries.china",
    "holidays.calendars.chinese",
    # printing (QPrinter, print preview) and its plugins, for the 公示 and 台账 the office prints
    "PySide6.QtPrintSupport",
    "PySide6.QtSvg",
    # platform-specific pieces of the instance lock (app/lock.py)
    "fcntl",
    "msvcrt",
]

# Bundled only when installed on the build machine (`pip install .[postgres]`): a township server.
OPTIONAL_IMPORTS = ["psycopg", "psycopg_binary", "psycopg_binary.pq", "psycopg_binary._psycopg"]

# Data files of libraries: (package, glob patterns passed to collect_data_files(includes=...)).
LIBRARY_DATA = [
    ("pypinyin", ["*.json"]),  # the 拼音 dictionaries for 拼音首字母 search
    ("holidays", ["locale/zh_CN/LC_MESSAGES/CN.mo", "locale/en_US/LC_MESSAGES/CN.mo"]),
]

# Files of the program (relative to the repository) and where they go in the bundle.
MIGRATION_FILES = [
    ("app/migrations/env.py", "app/migrations"),
    ("app/migrations/script.py.mako", "app/migrations"),
    ("app/migrations/versions/*.py", "app/migrations/versions"),
]
RESOURCE_DIRS = ["resources/icons", "resources/demo", "resources/fonts", "resources/fonts/fangsong", "resources/translations"]

# Python modules we never use.
EXCLUDES = [
    "tkinter",
    "unittest",
    "pydoc_data",
    "sqlalchemy.testing",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "PySide6.QtBluetooth",
    "PySide6.QtNfc",
    "PySide6.QtPositioning",
    "PySide6.QtLocation",
    "PySide6.QtSensors",
    "PySide6.QtSerialPort",
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtTest",
    "PySide6.QtSql",
    "PySide6.QtDBus",
    "PySide6.QtConcurrent",
    "PySide6.QtXml",
]

# Qt plugin folders (under PySide6/Qt/plugins) that the program needs; every other one is dropped.
QT_PLUGIN_DIRS_KEPT = ["platforms", "imageformats", "iconengines", "printsupport", "styles",
                       "platformthemes", "platforminputcontexts", "xcbglintegrations", "generic"]
# Within those, plugins we do not use (file-name prefixes, lower case). The xcb platform works on
# X11 and under XWayland; leaving out the Wayland plugin spares the .deb its Wayland dependencies.
QT_PLUGINS_DROPPED = ["libqwayland", "libqeglfs", "libqlinuxfb", "libqminimalegl", "libqvnc", "libqvkkhrdisplay",
                      "libqtuiotouchplugin", "libqevdev", "libqlibinput", "libqtslib",
                      "libqgtk3", "libqxdgdesktopportal", "libqpdf", "libqwebp", "libqtiff", "libqwbmp",
                      "libqtga", "libqicns", "libqmacheif", "libqmacjp2",
                      "qwebp", "qtiff", "qwbmp", "qtga", "qicns", "qpdf", "qdirect2d"]
# Linux libraries taken from the system (the .deb Depends/Recommends on them), never bundled:
# CUPS must match the machine's print server.
LINUX_SYSTEM_LIBS = ["libcups"]
# Qt's own translations: only Chinese (确定/取消 in Qt's dialogs) is kept.
QT_TRANSLATIONS_KEPT = ["qtbase_zh_CN.qm", "qt_zh_CN.qm"]

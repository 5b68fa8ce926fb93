"""关心关爱中心 — start the desktop application or a headless subcommand.

    python main.py               open the application on the default data folder
    python main.py --demo        open the demo database (kept apart from real data)
    python main.py --help        list every subcommand
"""
import sys

from carecenter.cli import main

if __name__ == "__main__":
    sys.exit(main())

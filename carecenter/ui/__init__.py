"""Qt user interface (PySide6).  Nothing outside this package imports Qt.

Importing the package first guards against PySide6 6.12's reference-count bug
on CPython < 3.12 (see ``qtfix``), so every screen and every UI test is covered.
"""
from . import qtfix as _qtfix

_qtfix.apply()

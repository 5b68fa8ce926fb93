"""PDF documents (reportlab): the 个人关心关爱档案 and the registers.

Modules here take plain data (``services.print_data``) and lay it out; they never query
the database and never import Qt.  ``services.printing`` gathers the data and gets
these layouts from the composition root (``app.open_store``).
"""

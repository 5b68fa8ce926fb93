"""PDF documents (reportlab): the 个人关心关爱档案 and the registers.

Modules here take plain data (``reports.data``) and lay it out; they never query
the database and never import Qt.  ``services.printing`` gathers the data.
"""

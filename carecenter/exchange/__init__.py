"""Exchange with other programs: xlsx import/export, backup/restore. No Qt."""

"""Exports for organisers: registration rosters, sign-in sheets and bib/station lists (xlsx, PDF)."""

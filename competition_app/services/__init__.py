"""Services: the only code that touches the database. Each takes a ``Session`` opened by its
caller (one per user action) and returns frozen dataclasses, never ORM objects."""

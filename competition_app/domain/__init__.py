"""Pure domain vocabulary and rules: no database, no Qt."""

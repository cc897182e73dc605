"""Evaluable tasks built from items: declarations (``tasks.yaml``), instances, release rows."""

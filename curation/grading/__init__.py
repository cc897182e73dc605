"""Physicians grade model answers to a release: projects, consensus, agreement, item statistics."""

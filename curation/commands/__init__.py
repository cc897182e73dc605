"""Thin commands: read inputs, call a pure stage, write outputs and reports."""

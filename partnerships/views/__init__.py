"""Workspace screens, one module per area."""

"""Placeholder."""

PROVIDERS: list = []

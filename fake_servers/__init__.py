"""Fake servers for socket tests."""

__all__: list[str] = []

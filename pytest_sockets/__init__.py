"""The pytest plugin of pytest-sockets."""

__all__: list[str] = []

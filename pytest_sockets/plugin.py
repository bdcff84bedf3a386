"""pytest entry point (``pytest11``) of pytest-sockets."""

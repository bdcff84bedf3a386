"""The pytest plugin of pytest-sockets.

Select implementations with ``--sockets-impl``; see ``docs/implementers.md`` for
the adapter contract and ``docs/fixtures.md`` for the fixtures.
"""

from pytest_sockets._impls import FEATURES, Implementation, load_implementation

__all__ = ["FEATURES", "Implementation", "load_implementation"]

"""SocketError, the one error type of the spec (#socket-error)."""

from __future__ import annotations

PREFIX = "SocketError: "


class SocketError(TypeError, OSError):
    """A socket failure, as the spec's ``SocketError`` (#socket-error).

    The spec makes ``SocketError`` an instance of ``TypeError`` whose message
    starts with ``"SocketError: "``; both hold here. It also subclasses
    ``OSError`` so that Python code that handles network failures with
    ``except OSError`` keeps working; ``errno`` is set when the failure came
    from the operating system.
    """

    def __init__(self, message: str, *, errno: int | None = None) -> None:
        if not message.startswith(PREFIX):
            message = PREFIX + message
        super().__init__(message)
        self.errno = errno

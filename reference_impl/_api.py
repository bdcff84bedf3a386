"""Placeholder; replaced by the real implementation."""


class Connector:
    def __init__(self, *, cafile=None, cadata=None, configure_tls=None, policy=None):
        raise NotImplementedError


def connect(address, options=None):
    raise NotImplementedError

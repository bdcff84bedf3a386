"""Defect: an unknown secureTransport counts as "off" (breaks OPT-2)."""

from ._proxy import SocketProxy, adapter


def lenient(options):
    options = dict(options or {})
    if options.get("secureTransport") not in (None, "off", "on", "starttls"):
        options["secureTransport"] = "off"
    return options


connect, connect_trusting = adapter(SocketProxy, options=lenient)

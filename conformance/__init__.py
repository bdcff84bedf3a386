"""The Sockets API conformance suite."""

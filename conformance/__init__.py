"""The Sockets API conformance suite.

One module per spec section, named after the section's anchor; each test checks
one requirement of ``REQUIREMENTS.md`` and carries its ID and anchor as markers.
Run it with ``pytest conformance --sockets-impl=NAME``.
"""

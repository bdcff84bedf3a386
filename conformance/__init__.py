"""The Sockets API conformance suite.

One module per spec section, named after the section's anchor; each test checks
one behaviour and carries the IDs of the requirements it checks
(``docs/requirements.md``) and the section's anchor as markers.
Run it with ``pytest conformance --sockets-impl=NAME``.
"""

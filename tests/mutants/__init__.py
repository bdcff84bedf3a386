"""Deliberately wrong implementations: the conformance suite must catch each one.

Each module is an adapter (see ``docs/implementers.md``) wrapping the reference
implementation with one defect. ``tests/test_conformance_catches_mutants.py``
runs the suite against every one and checks that the test for the broken
requirement fails.
"""

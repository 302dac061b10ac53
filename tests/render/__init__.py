"""Tests of the renderers and the ``render`` command."""

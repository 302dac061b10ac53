"""Tests of the transcript model and codec; ``schema`` is shared with the other test areas."""

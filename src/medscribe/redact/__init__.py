"""Redaction of personal health information: transcripts and audio.

This package owns what medscribe does with ``Transcript.entities`` (the PHI spans
that Amazon Transcribe Medical, or medscribe, identified): the service only labels
PHI and leaves redaction to "your own post-processing". :mod:`.text` makes a
redacted copy of a transcript (every entity's words replaced by one
``[PHI:CATEGORY]`` tag in the items, hence in the text, the speaker and channel
labels and every rendered format; in the n-best segments; in the entities
themselves), with a mapping from tag to original only when the caller asks for
one. :mod:`.audio` silences every PHI span of a recording, or covers it with a
tone, and writes the result 0600 through :mod:`medscribe.files`. Nothing here
logs transcript text or PHI.
"""

from medscribe.redact.audio import PHISpan, phi_spans, redact_audio
from medscribe.redact.text import Redaction, redact, redact_with_mapping, require_entities, tag_for

__all__ = [
    "PHISpan",
    "Redaction",
    "phi_spans",
    "redact",
    "redact_audio",
    "redact_with_mapping",
    "require_entities",
    "tag_for",
]

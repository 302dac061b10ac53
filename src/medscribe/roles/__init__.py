"""Speaker roles: which of a visit's two speakers is the clinician and which the patient.

This package owns ``--speaker-roles``: from what each speaker said (who asks the
questions, who gives the instructions, who tells their symptoms; see
:mod:`~medscribe.roles.features`) a small committed model
(:mod:`~medscribe.roles.model`) decides, and :func:`assign_roles` relabels the
transcript's items ``CLINICIAN_0`` and ``PATIENT_0``, as AWS HealthScribe names the
participants of a visit. When it is unsure, when a speaker said too little, or
when there are not exactly two speakers, the partitioning's ``spk_N`` labels are
kept, and :attr:`Transcript.roles <medscribe.transcript.model.Transcript.roles>`
says why.

Why a package of its own, beside ``transcript/`` and ``render/`` rather than in
``engine/``: it reads a finished transcript with speaker labels, whichever
backend made it (the offline engine, or Amazon Transcribe Medical through the
service's JSON), so it runs after the backend returns, in the one flow both
share (:mod:`medscribe.batch.runner`, :func:`medscribe.transcribe`, the stream
session); it is neither a stage of the offline engine nor part of the JSON
model (``transcript/`` holds the data it writes, :class:`SpeakerRoles`).
Nothing here logs or returns transcript text.
"""

from __future__ import annotations

from medscribe.roles.features import SpeakerText, tokens
from medscribe.roles.model import RoleModel, load_model
from medscribe.transcript.model import SpeakerRoles, Transcript

__all__ = [
    "CLINICIAN_LABEL",
    "PATIENT_LABEL",
    "ROLE_LABELS",
    "RoleModel",
    "assign_roles",
    "decide_roles",
    "explain",
    "load_model",
]

#: The labels of the two roles, as HealthScribe writes its participants' roles.
CLINICIAN_LABEL = "CLINICIAN_0"
PATIENT_LABEL = "PATIENT_0"
#: In the order ``--speaker-names`` names them: the clinician first.
ROLE_LABELS = (CLINICIAN_LABEL, PATIENT_LABEL)


def _speaker_texts(transcript: Transcript) -> dict[str, SpeakerText]:
    """Each speaker label's words and turns, in order of first appearance."""
    words: dict[str, list[str]] = {}
    turns: dict[str, int] = {}
    for turn in transcript.turns():
        if turn.label is None:
            continue
        spoken = [w for item in turn.items if not item.is_punctuation for w in tokens(item.content)]
        words.setdefault(turn.label, []).extend(spoken)
        turns[turn.label] = turns.get(turn.label, 0) + 1
    return {label: SpeakerText(tuple(w), turns[label]) for label, w in words.items()}


def decide_roles(transcript: Transcript, model: RoleModel | None = None) -> SpeakerRoles:
    """Who is who in ``transcript``, without changing it (see the package docstring)."""
    texts = _speaker_texts(transcript)
    if len(texts) != 2:
        return SpeakerRoles("speaker_count")
    model = model or load_model()
    (first, a), (second, b) = texts.items()
    p = model.probability(a, b)
    confidence = max(p, 1.0 - p)
    if min(len(a.words), len(b.words)) < model.min_words:
        return SpeakerRoles("too_little_speech", confidence)
    if confidence < model.threshold:
        return SpeakerRoles("unsure", confidence)
    clinician, patient = (first, second) if p >= 0.5 else (second, first)
    return SpeakerRoles(
        "assigned", confidence, {CLINICIAN_LABEL: clinician, PATIENT_LABEL: patient}
    )


def assign_roles(transcript: Transcript, model: RoleModel | None = None) -> SpeakerRoles:
    """Decide the roles and, when assigned, relabel the items in place.

    Sets ``transcript.roles`` (whatever the outcome) and returns it.
    """
    roles = decide_roles(transcript, model)
    if roles.assigned:
        new = {old: role for role, old in roles.replaced.items()}
        for item in transcript.items:
            if item.speaker is not None:
                item.speaker = new.get(item.speaker, item.speaker)
        for segment in transcript.segments:
            for alternative in segment.alternatives:
                for item in alternative.items:
                    if item.speaker is not None:
                        item.speaker = new.get(item.speaker, item.speaker)
    transcript.roles = roles
    return roles


def explain(transcript: Transcript) -> str | None:
    """The one line that says why labels were kept (None: roles assigned, or not asked for).

    It names counts and the confidence only, never a word of the transcript.
    """
    roles = transcript.roles
    if roles is None or roles.assigned:
        return None
    kept = "speaker labels kept as spk_N"
    if roles.status == "speaker_count":
        found = len({i.speaker for i in transcript.items if i.speaker and not i.is_punctuation})
        return f"speaker roles not given: {found} speaker(s) found, roles need two; {kept}"
    if roles.status == "too_little_speech":
        return f"speaker roles not given: a speaker said too little to tell; {kept}"
    threshold = load_model().threshold
    confidence = f"{roles.confidence:.2f}" if roles.confidence is not None else "unknown"
    return (
        f"speaker roles not given: unsure who is the clinician "
        f"(confidence {confidence}, needs {threshold:.2f}); {kept}"
    )

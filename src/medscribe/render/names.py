"""Speaker names: mapping the service's labels (``spk_0``, ``ch_1``) to names people read.

``--speaker-names clinician,patient`` names the first label ``clinician`` and the
second ``patient``, whether the transcript was split by speaker partitioning or by
channel identification. ``spk_1=patient`` names one label explicitly. The JSON output
never uses these names: it keeps the service's labels so it stays Transcribe Medical JSON.

Role labels (``CLINICIAN_0``, ``PATIENT_0``: :mod:`medscribe.roles`) are a third family:
positional names name them clinician first, patient second, and ``PATIENT_0=Ms Lee``
names one. Asked for with the roles themselves (``roles=True``), positional names
name the roles only, so a visit whose roles were not sure (its labels kept as
``spk_N``) shows ``spk_0``, never a guess at who the clinician is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from medscribe.errors import ValidationError
from medscribe.transcript.model import Transcript

#: The service labels at most 10 speakers (MaxSpeakerLabels 2..10).
MAX_NAMES = 10
_LABEL = re.compile(r"^(spk|ch)_(\d+)$")
#: HealthScribe's participant roles; the n-th clinician and patient.
_ROLE_LABEL = re.compile(r"^(CLINICIAN|PATIENT)_(\d+)$")
#: Role labels in the order positional names name them.
ROLE_ORDER = ("CLINICIAN_0", "PATIENT_0")
LabelKind = Literal["spk", "ch", "role"]
#: A name shown in a cue or a terminal line must stay on that line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

SpeakerNames = Mapping[str, str]


def parse_speaker_names(spec: str | None, *, roles: bool = False) -> dict[str, str]:
    """``"clinician,patient"`` -> ``{"spk_0": "clinician", "spk_1": "patient", "ch_0": ...}``.

    Each positional name names ``spk_N``, ``ch_N`` and the N-th role label
    (:data:`ROLE_ORDER`), so one option works for speaker partitioning, channel
    identification and roles alike; with ``roles`` it names the role labels only
    (at most two names).

    Entries of the form ``LABEL=NAME`` (``spk_1=patient``, ``PATIENT_0=Ms Lee``) name
    one label. An empty name, a malformed label or more than :data:`MAX_NAMES` names
    is a ValidationError.
    """
    if spec is None or not spec.strip():
        return {}
    names: dict[str, str] = {}
    position = 0
    for number, raw in enumerate(spec.split(","), start=1):
        entry = raw.strip()
        label, sep, name = entry.partition("=")
        if sep:
            label, name = label.strip(), _clean(name, number)
            if label_kind(label) is None:
                raise ValidationError(
                    f"speaker names: entry {number}: {label!r} is not a label like spk_0, "
                    "ch_1 or CLINICIAN_0"
                )
            names[label] = name
            continue
        name = _clean(entry, number)
        limit = len(ROLE_ORDER) if roles else MAX_NAMES
        if position >= limit:
            raise ValidationError(
                "speaker names: with speaker roles, at most two names (the clinician's, "
                "then the patient's)"
                if roles
                else f"speaker names: at most {MAX_NAMES} names (the service labels at most "
                f"{MAX_NAMES} speakers)"
            )
        labels = [] if roles else [f"spk_{position}", f"ch_{position}"]
        if position < len(ROLE_ORDER):
            labels.append(ROLE_ORDER[position])
        for positional in labels:
            names.setdefault(positional, name)
        position += 1
    return names


def _clean(name: str, number: int) -> str:
    name = _CONTROL.sub(" ", name).strip()
    if not name:
        raise ValidationError(f"speaker names: entry {number} is empty")
    return name


def as_names(names: SpeakerNames | str | None) -> dict[str, str]:
    """Accept what callers have at hand: a parsed mapping, the raw option string or nothing."""
    if names is None:
        return {}
    if isinstance(names, str):
        return parse_speaker_names(names)
    return dict(names)


def label_kind(label: str) -> LabelKind | None:
    """``"spk"`` for spk_N, ``"ch"`` for ch_N, ``"role"`` for CLINICIAN_N/PATIENT_N, else None."""
    match = _LABEL.match(label)
    if match:
        return "spk" if match.group(1) == "spk" else "ch"
    return "role" if _ROLE_LABEL.match(label) else None


def _speaker_labels(transcript: Transcript) -> set[str]:
    return {i.speaker for i in transcript.items if i.speaker}


def label_count(transcript: Transcript) -> tuple[LabelKind | None, int]:
    """The kind of labels turns use (``"spk"``, ``"ch"``, ``"role"`` or None) and how many.

    A transcript is of the role kind when every speaker label is a role label.
    """
    if transcript.has_speakers:
        found = _speaker_labels(transcript)
        if found and all(label_kind(label) == "role" for label in found):
            return "role", len(found)
        return "spk", max(transcript.speakers or 0, len(found))
    if transcript.has_channels:
        found = {i.channel for i in transcript.items if i.channel}
        return "ch", max(transcript.channels or 0, len(found))
    return None, 0


def transcript_labels(transcript: Transcript) -> list[str]:
    """The labels the header lists: ``spk_0`` .. ``spk_{n-1}`` (or ``ch_``), else the roles."""
    kind, count = label_count(transcript)
    if kind == "role":
        return sorted(_speaker_labels(transcript), key=label_index)
    return [f"{kind}_{n}" for n in range(count)] if kind is not None else []


def applicable_names(transcript: Transcript, names: SpeakerNames | None) -> dict[str, str]:
    """The names of the labels this transcript has (one list serves a batch of them)."""
    if not names:
        return {}
    kind, count = label_count(transcript)
    if kind is None:
        return {}
    if kind == "role":
        present = _speaker_labels(transcript)
        return {label: name for label, name in names.items() if label in present}
    return {
        label: name
        for label, name in names.items()
        if label_kind(label) == kind and label_index(label) < count
    }


def check_speaker_names(transcript: Transcript, names: SpeakerNames) -> None:
    """Refuse names for labels the transcript does not have (one clear line, exit 2)."""
    if not names:
        return
    kind, count = label_count(transcript)
    if kind is None:
        raise ValidationError(
            "speaker names given, but the transcript has no speaker or channel labels"
        )
    if kind == "role":
        # Positional names also name spk_N: a third one is a name too many here as well.
        wanted = [label_index(label) for label in names if label_kind(label) in ("role", "spk")]
    else:
        wanted = [label_index(label) for label in names if label_kind(label) == kind]
    needed = max(wanted, default=-1) + 1
    if needed > count:
        noun = "channels" if kind == "ch" else "speakers"
        raise ValidationError(
            f"speaker names: {needed} names given but the transcript has only {count} {noun}"
        )


def display_name(label: str | None, names: SpeakerNames) -> str:
    """The name shown for a turn's label; the label itself when it has no name."""
    if label is None:
        return "unknown"
    return names.get(label, label)


def label_index(label: str) -> int:
    """0 for spk_0 or ch_0, 1 for spk_1 ...; CLINICIAN_n 2n, PATIENT_n 2n+1; -1 for others."""
    match = _LABEL.match(label)
    if match:
        return int(match.group(2))
    role = _ROLE_LABEL.match(label)
    if role:
        return 2 * int(role.group(2)) + (role.group(1) == "PATIENT")
    return -1

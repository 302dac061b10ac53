"""Speaker names: mapping the service's labels (``spk_0``, ``ch_1``) to names people read.

``--speaker-names clinician,patient`` names the first label ``clinician`` and the
second ``patient``, whether the transcript was split by speaker partitioning or by
channel identification. ``spk_1=patient`` names one label explicitly. The JSON output
never uses these names: it keeps the service's labels so it stays Transcribe Medical JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from medscribe.errors import ValidationError
from medscribe.transcript.model import Transcript

#: The service labels at most 10 speakers (MaxSpeakerLabels 2..10).
MAX_NAMES = 10
_LABEL = re.compile(r"^(spk|ch)_(\d+)$")
#: A name shown in a cue or a terminal line must stay on that line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

SpeakerNames = Mapping[str, str]


def parse_speaker_names(spec: str | None) -> dict[str, str]:
    """``"clinician,patient"`` -> ``{"spk_0": "clinician", "spk_1": "patient", "ch_0": ...}``.

    Each positional name names both ``spk_N`` and ``ch_N``, so one option works for
    speaker partitioning and for channel identification alike.

    Entries of the form ``LABEL=NAME`` (``spk_1=patient``) name one label. An empty
    name, a malformed label or more than :data:`MAX_NAMES` names is a ValidationError.
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
            if not _LABEL.match(label):
                raise ValidationError(
                    f"speaker names: entry {number}: {label!r} is not a label like spk_0 or ch_1"
                )
            names[label] = name
            continue
        name = _clean(entry, number)
        if position >= MAX_NAMES:
            raise ValidationError(
                f"speaker names: at most {MAX_NAMES} names (the service labels at most "
                f"{MAX_NAMES} speakers)"
            )
        names.setdefault(f"spk_{position}", name)
        names.setdefault(f"ch_{position}", name)
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


def label_count(transcript: Transcript) -> tuple[str | None, int]:
    """The kind of labels turns use (``"spk"``, ``"ch"`` or None) and how many there are."""
    if transcript.has_speakers:
        found = {i.speaker for i in transcript.items if i.speaker}
        return "spk", max(transcript.speakers or 0, len(found))
    if transcript.has_channels:
        found = {i.channel for i in transcript.items if i.channel}
        return "ch", max(transcript.channels or 0, len(found))
    return None, 0


def check_speaker_names(transcript: Transcript, names: SpeakerNames) -> None:
    """Refuse names for labels the transcript does not have (one clear line, exit 2)."""
    if not names:
        return
    kind, count = label_count(transcript)
    if kind is None:
        raise ValidationError(
            "speaker names given, but the transcript has no speaker or channel labels"
        )
    wanted = [label_index(label) for label in names if label.startswith(f"{kind}_")]
    needed = max(wanted, default=-1) + 1
    if needed > count:
        noun = "speakers" if kind == "spk" else "channels"
        raise ValidationError(
            f"speaker names: {needed} names given but the transcript has only {count} {noun}"
        )


def display_name(label: str | None, names: SpeakerNames) -> str:
    """The name shown for a turn's label; the label itself when it has no name."""
    if label is None:
        return "unknown"
    return names.get(label, label)


def label_index(label: str) -> int:
    """0 for spk_0 or ch_0, 1 for spk_1 ...; -1 for anything else."""
    match = _LABEL.match(label)
    return int(match.group(2)) if match else -1

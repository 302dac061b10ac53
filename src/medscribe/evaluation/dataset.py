"""The evaluation dataset format: reading (and writing) one folder per case.

A dataset is a folder of cases; each case is a folder holding

* ``mono.wav`` and/or ``stereo.wav`` (two channels, channel 0 the clinician);
* ``room.wav`` (optional): the same speech in a room (reverberation and noise, the
  ``room`` condition of the evaluation; :mod:`medscribe.evaluation.room`);
* ``ref.txt``: the reference text of the whole case (UTF-8);
* ``ref.rttm`` (optional): the reference speaker turns, NIST RTTM ``SPEAKER`` lines;
* ``ref.json`` (optional): a list of ``{"speaker", "start", "end", "text"}`` turns;
* ``meta.json`` (optional): ``{"specialty": ..., "type": ...}`` (values as the
  specialty and type options accept them; other keys, such as ``split``, are kept in
  :attr:`Case.meta`). Without it a case has the specialty and type the caller gives
  :func:`load_dataset` (``default_specialty``, ``default_type``), else PRIMARYCARE and
  CONVERSATION.

Other tools produce this format, so it is kept exactly. A case that breaks it is
rejected with one line naming the case and the problem
(:class:`~medscribe.errors.DatasetError`, re-exported here).
Sub-folders without any of these files are not cases and are ignored.

For folders of loose recordings such as ``../shared/data/speech`` (``NAME.wav``
beside ``NAME.txt`` and/or ``NAME.rttm``), :func:`load_dataset` falls back to a
flat layout: each such pair is a case with the default specialty and type, and
recordings with no reference at all are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from medscribe.errors import DatasetError, ValidationError
from medscribe.files import write_private
from medscribe.request import Specialty, TranscriptionType

__all__ = [
    "CASE_FILES",
    "Case",
    "DatasetError",
    "SpeakerTurn",
    "load_case",
    "load_dataset",
    "read_rttm",
    "read_turns_json",
    "write_meta",
    "write_rttm",
    "write_turns_json",
]

CASE_FILES = (
    "mono.wav",
    "stereo.wav",
    "room.wav",
    "ref.txt",
    "ref.rttm",
    "ref.json",
    "meta.json",
)
#: The audio conditions a case can be evaluated in, and the file of each.
CONDITIONS = {"clean": "mono.wav", "room": "room.wav"}


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """One reference turn: who spoke from ``start`` to ``end`` (seconds)."""

    speaker: str
    start: float
    end: float
    text: str = ""


@dataclass(slots=True)
class Case:
    """One evaluation case as read from disk."""

    name: str
    path: Path
    reference: str
    specialty: Specialty
    type: TranscriptionType
    mono: Path | None = None
    stereo: Path | None = None
    rttm: list[SpeakerTurn] | None = None
    turns: list[SpeakerTurn] = field(default_factory=list)
    room: Path | None = None
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def split(self) -> str | None:
        """``tune`` or ``test`` where meta.json says so (the development set's cases)."""
        value = self.meta.get("split")
        return value if isinstance(value, str) else None

    def audio(self, *, channels: bool, condition: str = "clean") -> Path:
        """The file to transcribe: ``stereo.wav`` for channel identification, else mono.

        ``condition="room"`` is ``room.wav`` (mono; not with channel identification).
        """
        if condition == "room":
            if self.room is None or channels:
                raise DatasetError(
                    f"case {self.name}: the room condition needs room.wav (and no channels)",
                    path=self.path,
                    option="condition",
                )
            return self.room
        if channels:
            if self.stereo is None:
                raise DatasetError(
                    f"case {self.name}: channel identification needs stereo.wav",
                    path=self.path,
                    option="channels",
                )
            return self.stereo
        path = self.mono or self.stereo
        assert path is not None  # load_case guarantees one of them
        return path


# --------------------------------------------------------------------------- reading


def load_dataset(
    root: str | Path,
    *,
    default_specialty: Specialty | None = None,
    default_type: TranscriptionType | None = None,
) -> list[Case]:
    """Every case under ``root``, sorted by name. Raises :class:`DatasetError`.

    A case without ``meta.json`` gets ``default_specialty`` and ``default_type``
    (else PRIMARYCARE and CONVERSATION).
    """
    defaults = (
        default_specialty or Specialty.PRIMARYCARE,
        default_type or TranscriptionType.CONVERSATION,
    )
    root = Path(root)
    if not root.exists():
        raise DatasetError(f"{root}: no such dataset folder", path=root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder", path=root)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and _looks_like_case(p))
    cases = [load_case(p, defaults=defaults) for p in folders]
    if not cases:
        cases = _flat_cases(root, defaults)
    if not cases:
        raise DatasetError(f"{root}: no cases (expected folders with ref.txt and audio)", path=root)
    return cases


def _looks_like_case(folder: Path) -> bool:
    return any((folder / name).exists() for name in CASE_FILES)


def load_case(
    folder: Path,
    *,
    defaults: tuple[Specialty, TranscriptionType] = (
        Specialty.PRIMARYCARE,
        TranscriptionType.CONVERSATION,
    ),
) -> Case:
    """Read one case folder, checking every part of the format.

    ``defaults`` are the specialty and type of a case without ``meta.json``.
    """
    name = folder.name
    mono = folder / "mono.wav"
    stereo = folder / "stereo.wav"
    if not mono.is_file() and not stereo.is_file():
        raise DatasetError(f"case {name}: no mono.wav or stereo.wav", path=folder)
    ref_path = folder / "ref.txt"
    if not ref_path.is_file():
        raise DatasetError(f"case {name}: ref.txt is missing", path=folder)
    reference = _read_text(ref_path, name)
    if not reference.strip():
        raise DatasetError(f"case {name}: ref.txt is empty", path=folder)
    meta_path = folder / "meta.json"
    meta = _read_meta(meta_path, name) if meta_path.exists() else {}
    specialty, kind = _meta_kind(meta, meta_path, name, defaults)
    room = folder / "room.wav"
    rttm_path = folder / "ref.rttm"
    json_path = folder / "ref.json"
    return Case(
        name=name,
        path=folder,
        reference=reference,
        specialty=specialty,
        type=kind,
        mono=mono if mono.is_file() else None,
        stereo=stereo if stereo.is_file() else None,
        rttm=read_rttm(rttm_path, name) if rttm_path.exists() else None,
        turns=read_turns_json(json_path, name) if json_path.exists() else [],
        room=room if room.is_file() else None,
        meta=meta,
    )


def _read_text(path: Path, case: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"case {case}: {path.name} is not UTF-8 text", path=path) from None
    except OSError as exc:
        raise DatasetError(
            f"case {case}: cannot read {path.name}: {exc.strerror}", path=path
        ) from None


def _read_json(path: Path, case: str) -> object:
    try:
        return json.loads(_read_text(path, case))
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"case {case}: {path.name} is not valid JSON (line {exc.lineno})", path=path
        ) from None


def _read_meta(path: Path, case: str) -> dict[str, object]:
    meta = _read_json(path, case)
    if not isinstance(meta, dict):
        raise DatasetError(
            f"case {case}: meta.json must be an object with specialty and type", path=path
        )
    return meta


def _meta_kind(
    meta: dict[str, object],
    path: Path,
    case: str,
    defaults: tuple[Specialty, TranscriptionType],
) -> tuple[Specialty, TranscriptionType]:
    """The specialty and type meta.json gives (both needed); no meta.json: the defaults."""
    if not meta:
        return defaults
    for key in ("specialty", "type"):
        if not isinstance(meta.get(key), str):
            raise DatasetError(f"case {case}: meta.json needs a string {key!r}", path=path)
    try:
        return Specialty.parse(meta["specialty"]), TranscriptionType.parse(meta["type"])
    except ValidationError as exc:
        raise DatasetError(f"case {case}: meta.json: {exc}", path=path) from None


def read_rttm(path: Path, case: str = "") -> list[SpeakerTurn]:
    """The SPEAKER lines of an RTTM file (other line types are ignored)."""
    label = case or path.name
    turns: list[SpeakerTurn] = []
    for line_no, line in enumerate(_read_text(path, label).splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#") or fields[0] != "SPEAKER":
            continue
        try:
            start, duration = float(fields[3]), float(fields[4])
            speaker = fields[7]
        except (IndexError, ValueError):
            raise DatasetError(
                f"case {label}: {path.name} line {line_no} is not an RTTM SPEAKER line", path=path
            ) from None
        if duration < 0 or start < 0:
            raise DatasetError(
                f"case {label}: {path.name} line {line_no} has a negative time", path=path
            )
        turns.append(SpeakerTurn(speaker, start, start + duration))
    return turns


def read_turns_json(path: Path, case: str) -> list[SpeakerTurn]:
    data = _read_json(path, case)
    if not isinstance(data, list):
        raise DatasetError(f"case {case}: ref.json must be a list of turns", path=path)
    turns = []
    for index, entry in enumerate(data):
        try:
            turns.append(
                SpeakerTurn(
                    str(entry["speaker"]),
                    float(entry["start"]),
                    float(entry["end"]),
                    str(entry["text"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise DatasetError(
                f"case {case}: ref.json entry {index} needs speaker, start, end and text", path=path
            ) from None
    return turns


def _flat_cases(root: Path, defaults: tuple[Specialty, TranscriptionType]) -> list[Case]:
    """Loose ``NAME.wav`` files with ``NAME.txt`` and/or ``NAME.rttm`` beside them."""
    cases = []
    for wav in sorted(root.glob("*.wav")):
        txt, rttm = wav.with_suffix(".txt"), wav.with_suffix(".rttm")
        if not txt.exists() and not rttm.exists():
            continue
        cases.append(
            Case(
                name=wav.stem,
                path=root,
                reference=_read_text(txt, wav.stem) if txt.exists() else "",
                specialty=defaults[0],
                type=defaults[1],
                mono=wav,
                rttm=read_rttm(rttm, wav.stem) if rttm.exists() else None,
            )
        )
    return cases


# --------------------------------------------------------------------------- writing


def write_rttm(path: Path, uri: str, turns: list[SpeakerTurn]) -> None:
    """Write ``turns`` as RTTM SPEAKER lines (the format pyannote and NIST tools read)."""
    lines = [
        f"SPEAKER {uri} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} <NA> <NA>"
        for t in turns
    ]
    write_private(path, "\n".join(lines) + "\n")


def write_turns_json(path: Path, turns: list[SpeakerTurn]) -> None:
    data = [
        {"speaker": t.speaker, "start": round(t.start, 3), "end": round(t.end, 3), "text": t.text}
        for t in turns
    ]
    write_private(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_meta(path: Path, specialty: Specialty, kind: TranscriptionType) -> None:
    meta = {"specialty": specialty.value, "type": kind.value}
    write_private(path, json.dumps(meta, indent=2) + "\n")

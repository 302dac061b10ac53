"""The development set: real clinical language (ACI-Bench, PriMock57) synthesised into cases.

Source: the corpora of :mod:`medscribe.evaluation.corpus` (CC BY 4.0; credited in
``medscribe/data/devset/CREDITS.md``), each visit in the ``tune`` or ``test`` split of
the committed ``split.json``. Per split, a fixed subset of visits becomes cases
(:func:`select_visits`), chosen by rule, never by scores:

* **conversations** (``<id>-conversation``): the first :data:`CONVERSATIONS_ACI` ACI-Bench
  visits in round-robin order over their specialty tags (ids sorted within each tag)
  and the first :data:`CONVERSATIONS_PRIMOCK` PriMock57 consultations in id order. The
  excerpt (:func:`dialogue_excerpt`) is the dialogue's turns from the start until
  :data:`CONVERSATION_WORDS` words, ending at a turn boundary (about two minutes).
  The clinician speaks with Piper ``joe``, the patient (and any relative) with
  Festival ``slt``. The reference is the corpus's own transcript of those turns.
* **dictations** (``<id>-dictation``, ACI-Bench only, as PriMock57 has no notes): the
  first :data:`DICTATIONS` visits in the same round-robin order. The excerpt
  (:func:`note_excerpt`) is whole sections of the clinical note with the headings of
  :data:`DICTATED_SECTIONS` (examination, results, assessment and plan, ...), in note
  order, until :data:`DICTATION_WORDS` words (about 1-1.5 minutes), read by ``joe``.
  The written note is the reference; the voice reads its spoken form
  (:mod:`medscribe.evaluation.verbalize`).

A case's specialty is :func:`~medscribe.evaluation.corpus.tag_specialty` of its whole
source visit (dialogue and note: an excerpt is too short to tag reliably), so both
cases of a visit share it. ``meta.json`` carries specialty, type, split, corpus and
source id.

Synthesis reuses the project's ``scripts/synth.py`` (``synthesize(text, voice)``;
deterministic voices). It needs a checkout of the repository (``scripts/`` is not
installed with the package) and the dev extra (piper). Each case folder gets
``mono.wav`` (the mix, 16 kHz), ``stereo.wav`` (channel 0 the clinician),
``room.wav`` (:mod:`medscribe.evaluation.room`), ``ref.txt``, ``ref.rttm``, ``ref.json``
and ``meta.json``. A case is skipped when its ``.source-sha256`` stamp matches its
text, its spoken form and :data:`SYNTH_VERSION`, and its room file when
``.room-sha256`` matches, so a rerun only makes what changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from medscribe.errors import ConfigError, DatasetError, ValidationError
from medscribe.evaluation.corpus import Split, Visit, load_visits, tag_specialty
from medscribe.evaluation.dataset import SpeakerTurn, write_rttm, write_turns_json
from medscribe.evaluation.verbalize import verbalize_line
from medscribe.files import write_private
from medscribe.request import Specialty, TranscriptionType

SAMPLE_RATE = 16_000
#: Bump when the synthesis changes, so that cached cases are made again.
SYNTH_VERSION = "2"
#: Role letter -> (speaker label in the references, voice of scripts/synth.py, channel).
ROLES = {"C": ("clinician", "joe", 0), "P": ("patient", "slt", 1)}
LEAD_S = 0.5
PAUSE_S = 0.6
STAMP = ".source-sha256"
ROOM_STAMP = ".room-sha256"

#: Sizing (see the module docstring): per split, cases and words per case.
CONVERSATIONS_ACI = 8
CONVERSATIONS_PRIMOCK = 7
DICTATIONS = 20
CONVERSATION_WORDS = 320
DICTATION_WORDS = 190
#: A turn or section that would take the excerpt past this many times its target is
#: not taken (unless the excerpt is still short; then it is cut at a sentence end).
OVERSHOOT = 1.3
#: Note sections a clinician dictates in the examination-to-plan part of a note.
DICTATED_SECTIONS = frozenset(
    {
        "PHYSICAL EXAM",
        "PHYSICAL EXAMINATION",
        "EXAM",
        "VITALS",
        "VITALS REVIEWED",
        "RESULTS",
        "IMPRESSION",
        "ASSESSMENT",
        "PLAN",
        "ASSESSMENT AND PLAN",
        "PROCEDURE",
    }
)
#: A template line of ACI-Bench notes that no clinician dictates.
_BOILERPLATE = re.compile(r"^\s*Patient Agreements?:", re.IGNORECASE)
_LINE = re.compile(r"^([CP]):\s*(\S.*)$")
_HEADER = re.compile(r"^#\s*(\w+)\s*:\s*(.*?)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True, slots=True)
class Script:
    """One case: who says what (reference text; the voice reads its spoken form)."""

    name: str
    specialty: Specialty
    type: TranscriptionType
    lines: list[tuple[str, str]]
    split: str | None = None
    corpus: str | None = None
    source_id: str | None = None

    @property
    def reference(self) -> str:
        return "\n".join(text for _, text in self.lines) + "\n"

    def meta(self) -> dict[str, str | None]:
        return {
            "specialty": self.specialty.value,
            "type": self.type.value,
            "split": self.split,
            "corpus": self.corpus,
            "source_id": self.source_id,
        }

    @property
    def source(self) -> str:
        """Everything the audio and references are made from (the cache key's input)."""
        return json.dumps({"meta": self.meta(), "lines": self.lines}, sort_keys=True)


def parse_script(name: str, text: str) -> Script:
    """A hand-written script (``# specialty: ...``, ``# type: ...``, then ``C:``/``P:`` lines).

    Used by tests and for ad-hoc cases; raises :class:`ValidationError` naming the bad line.
    """
    meta: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        header = _HEADER.match(line)
        if header:
            meta[header.group(1).lower()] = header.group(2)
            continue
        match = _LINE.match(line)
        if not match:
            raise ValidationError(
                f"devset script {name} line {number}: expected 'C: ...' or 'P: ...'"
            )
        lines.append((match.group(1), match.group(2)))
    if not lines:
        raise ValidationError(f"devset script {name}: no lines")
    return Script(
        name=name,
        specialty=Specialty.parse(meta.get("specialty", "")),
        type=TranscriptionType.parse(meta.get("type", "")),
        lines=lines,
    )


# --------------------------------------------------------------------------- excerpts


def _words(text: str) -> int:
    return len(text.split())


def _cut_at_sentence(text: str, limit: int) -> str:
    """The longest run of whole sentences of ``text`` within ``limit`` words (at least one)."""
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if kept and _words(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def _take(
    parts: Iterable[tuple[str, str]], target: int, limit: int | None = None
) -> list[tuple[str, str]]:
    """Parts (role, text) from the start until ``target`` words, ending at a part boundary.

    A part that would bring the total past ``limit`` (default ``OVERSHOOT * target``)
    stops the excerpt; if the excerpt is then under half the target, that part is cut
    at a sentence end instead.
    """
    taken: list[tuple[str, str]] = []
    total = 0
    limit = int(OVERSHOOT * target) if limit is None else limit
    for role, text in parts:
        if total >= target:
            break
        count = _words(text)
        if total + count > limit:
            if total < target // 2:
                cut = _cut_at_sentence(text, limit - total)
                taken.append((role, cut))
            break
        taken.append((role, text))
        total += count
    return taken


def dialogue_excerpt(visit: Visit, target: int = CONVERSATION_WORDS) -> list[tuple[str, str]]:
    """The visit's first turns up to ``target`` words, as (role letter, text)."""
    parts = (("C" if t.role == "clinician" else "P", t.text) for t in visit.turns)
    return _take(parts, target)


def note_sections(note: str) -> list[tuple[str, list[str]]]:
    """The note's sections: (heading, lines), a heading being a line in capitals."""
    sections: list[tuple[str, list[str]]] = []
    for raw in note.splitlines():
        line = raw.strip()
        if not line or _BOILERPLATE.match(line):
            continue
        if re.fullmatch(r"[A-Z][A-Z /&]+", line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def note_excerpt(note: str, target: int = DICTATION_WORDS) -> list[tuple[str, str]]:
    """Whole dictated sections of ``note`` (heading line first) up to ``target`` words."""
    chosen = [(h, body) for h, body in note_sections(note) if h in DICTATED_SECTIONS and body]
    taken: list[tuple[str, str]] = []
    total = 0
    limit = int(OVERSHOOT * target)
    for heading, body in chosen:
        if total >= target:
            break
        count = _words(heading) + sum(_words(line) for line in body)
        if total + count > limit:
            if total < target // 2:  # a long first section: its first lines, cut at a sentence
                taken.append(("C", heading))
                room = limit - total - _words(heading)
                taken += _take((("C", line) for line in body), room, limit=room)
            break
        taken += [("C", heading), *(("C", line) for line in body)]
        total += count
    return taken


# --------------------------------------------------------------------------- selection


def round_robin(visits: list[Visit]) -> list[Visit]:
    """Visits ordered one per specialty tag in turn (table order; ids sorted within a tag)."""
    by_tag: dict[Specialty, list[Visit]] = {s: [] for s in Specialty}
    for visit in sorted(visits, key=lambda v: v.id):
        by_tag[visit_specialty(visit)].append(visit)
    ordered: list[Visit] = []
    while any(by_tag.values()):
        for queue in by_tag.values():
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def visit_specialty(visit: Visit) -> Specialty:
    return tag_specialty(visit.dialogue_text + "\n" + (visit.note or ""))


def select_visits(visits: list[Visit]) -> tuple[list[Visit], list[Visit]]:
    """(conversation visits, dictation visits) of one split, by the module's fixed rule."""
    aci = round_robin([v for v in visits if v.corpus == "aci-bench"])
    primock = sorted((v for v in visits if v.corpus == "primock57"), key=lambda v: v.id)
    conversations = aci[:CONVERSATIONS_ACI] + primock[:CONVERSATIONS_PRIMOCK]
    dictations = [v for v in aci if v.note][:DICTATIONS]
    return conversations, dictations


def corpus_scripts(root: Path, splits: Iterable[Split] = ("tune", "test")) -> list[Script]:
    """The cases of the chosen splits, built from the corpora under ``root``."""
    scripts: list[Script] = []
    for split in splits:
        visits = load_visits(root, split=split)
        conversations, dictations = select_visits(visits)
        for visit in conversations:
            scripts.append(_script(visit, TranscriptionType.CONVERSATION, dialogue_excerpt(visit)))
        for visit in dictations:
            assert visit.note is not None
            scripts.append(_script(visit, TranscriptionType.DICTATION, note_excerpt(visit.note)))
    return sorted((s for s in scripts if s.lines), key=lambda s: s.name)


def _script(visit: Visit, kind: TranscriptionType, lines: list[tuple[str, str]]) -> Script:
    return Script(
        name=f"{visit.id}-{kind.value.lower()}",
        specialty=visit_specialty(visit),
        type=kind,
        lines=lines,
        split=visit.split,
        corpus=visit.corpus,
        source_id=visit.id,
    )


# --------------------------------------------------------------------------- synthesis


def _synth_module() -> ModuleType:
    """``scripts/synth.py`` of the checkout this package is installed from (editable)."""
    path = Path(__file__).resolve().parents[3] / "scripts" / "synth.py"
    if not path.is_file():
        raise ConfigError(
            "make-devset needs scripts/synth.py of a medscribe checkout (pip install -e '.[dev]')"
        )
    spec = importlib.util.spec_from_file_location("medscribe_dev_synth", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _trim(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Cut leading and trailing near-silence (20 ms margins) so turn times are tight."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio[:0]
    margin = SAMPLE_RATE // 50
    return audio[max(loud[0] - margin, 0) : loud[-1] + margin]


def render_script(
    script: Script, synthesize: Callable[[str, str], np.ndarray]
) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """The case's two-channel audio (clinician, patient) and its reference turns."""
    clips: list[tuple[int, np.ndarray]] = []
    turns: list[SpeakerTurn] = []
    position = int(LEAD_S * SAMPLE_RATE)
    pause = int(PAUSE_S * SAMPLE_RATE)
    for role, text in script.lines:
        label, voice, channel = ROLES[role]
        clip = _trim(np.asarray(synthesize(verbalize_line(text), voice), dtype=np.float32))
        # Peak-normalise each clip to the same level so the mix is balanced.
        peak = float(np.max(np.abs(clip))) if clip.size else 0.0
        if peak > 0:
            clip = clip * (0.7 / peak)
        clips.append((channel, clip))
        turns.append(
            SpeakerTurn(label, position / SAMPLE_RATE, (position + clip.size) / SAMPLE_RATE, text)
        )
        position += clip.size + pause
    stereo = np.zeros((2, position - pause + int(LEAD_S * SAMPLE_RATE)), dtype=np.float32)
    for (channel, clip), turn in zip(clips, turns, strict=True):
        start = round(turn.start * SAMPLE_RATE)
        stereo[channel, start : start + clip.size] = clip
    return stereo, turns


def write_wav(path: Path, audio: np.ndarray) -> None:
    """16-bit PCM WAV at 16 kHz; ``audio`` is ``(N,)`` or ``(channels, N)``."""
    frames = audio if audio.ndim == 2 else audio[np.newaxis, :]
    pcm = (np.clip(frames, -1.0, 1.0) * 32767.0).round().astype("<i2")
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as fh:
        fh.setnchannels(frames.shape[0])
        fh.setsampwidth(2)
        fh.setframerate(SAMPLE_RATE)
        fh.writeframes(pcm.T.tobytes())
    tmp.chmod(0o600)
    tmp.replace(path)


def _stamp(script: Script) -> str:
    # The spoken form is part of the key: a change of the verbaliser makes the audio again.
    spoken = "\n".join(verbalize_line(text) for _, text in script.lines)
    key = f"{SYNTH_VERSION}\n{script.source}\n{spoken}"
    return hashlib.sha256(key.encode()).hexdigest()


def _room_stamp(script: Script) -> str:
    from medscribe.evaluation.room import REVERB, ROOM_VERSION

    key = f"{ROOM_VERSION}\n{REVERB}\n{_stamp(script)}"
    return hashlib.sha256(key.encode()).hexdigest()


def write_case(
    out: Path,
    script: Script,
    synthesize: Callable[[str, str], np.ndarray],
    *,
    room: bool = True,
) -> float:
    """Synthesise one case into ``out/NAME``; returns its duration in seconds."""
    from medscribe.files import private_dir

    folder = out / script.name
    private_dir(folder, parents=True)
    (folder / STAMP).unlink(missing_ok=True)
    stereo, turns = render_script(script, synthesize)
    write_wav(folder / "stereo.wav", stereo)
    write_wav(folder / "mono.wav", np.clip(stereo.sum(axis=0), -1.0, 1.0))
    write_private(folder / "ref.txt", script.reference)
    write_rttm(folder / "ref.rttm", script.name, turns)
    write_turns_json(folder / "ref.json", turns)
    write_private(folder / "meta.json", json.dumps(script.meta(), indent=2) + "\n")
    write_private(folder / STAMP, _stamp(script) + "\n")  # written last
    if room:
        write_room(folder, script)
    return float(stereo.shape[1]) / SAMPLE_RATE


def write_room(folder: Path, script: Script) -> None:
    """``room.wav`` of the case (see :mod:`medscribe.evaluation.room`), its SNR in meta.json."""
    from medscribe.evaluation.room import make_room

    (folder / ROOM_STAMP).unlink(missing_ok=True)
    params = make_room(folder / "mono.wav", folder / "room.wav", script.name)
    meta = {**script.meta(), "room_snr_db": params.snr_db}
    write_private(folder / "meta.json", json.dumps(meta, indent=2) + "\n")
    write_private(folder / ROOM_STAMP, _room_stamp(script) + "\n")


def _is_current(stamp: Path, value: str) -> bool:
    return stamp.is_file() and stamp.read_text().strip() == value


def _cached_duration(folder: Path, script: Script) -> float | None:
    if not _is_current(folder / STAMP, _stamp(script)):
        return None
    return wav_seconds(folder / "mono.wav")


def wav_seconds(path: Path) -> float | None:
    """The length of a WAV file made earlier, or None if it is missing or unreadable."""
    try:
        with wave.open(str(path), "rb") as fh:
            return fh.getnframes() / fh.getframerate()
    except (OSError, wave.Error, EOFError):
        return None


def make_devset(
    out: str | Path,
    *,
    corpora: Path | None = None,
    scripts: list[Script] | None = None,
    cases: list[str] | None = None,
    splits: Iterable[Split] = ("tune", "test"),
    force: bool = False,
    room: bool = True,
    on_case: Callable[[str, float, bool], None] | None = None,
    synthesize: Callable[[str, str], np.ndarray] | None = None,
) -> float:
    """Write the development set into ``out``; returns the total audio duration in seconds.

    The cases come from ``scripts`` if given, else from the corpora under ``corpora``
    (default: :func:`~medscribe.evaluation.corpus.default_corpora_root`).
    """
    out = Path(out)
    if scripts is None:
        scripts = corpus_scripts(_corpora_root(corpora), splits)
    if cases:
        unknown = sorted(set(cases) - {s.name for s in scripts})
        if unknown:
            raise ValidationError(f"no devset case named {', '.join(unknown)}")
        scripts = [s for s in scripts if s.name in cases]
    total = 0.0
    for script in scripts:
        folder = out / script.name
        cached = None if force else _cached_duration(folder, script)
        if cached is None:
            if synthesize is None:
                synthesize = _synth_module().synthesize
            seconds = write_case(out, script, synthesize, room=room)
        else:
            seconds = cached
            if room and not _is_current(folder / ROOM_STAMP, _room_stamp(script)):
                write_room(folder, script)
        total += seconds
        if on_case is not None:
            on_case(script.name, seconds, cached is not None)
    return total


def _corpora_root(corpora: Path | None) -> Path:
    from medscribe.evaluation.corpus import default_corpora_root

    root = corpora or default_corpora_root()
    if root is None or not root.is_dir():
        raise DatasetError(
            "the development set is built from the ACI-Bench and PriMock57 corpora: "
            "none found (set MEDSCRIBE_CORPORA or place them in ../shared/data/corpora)"
        )
    return root

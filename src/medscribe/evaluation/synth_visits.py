"""Two-party visits in close voices: the synthetic cases of the speaker evaluation.

The development set's conversations (:mod:`medscribe.evaluation.devset`) pair Piper
``joe`` with Festival ``slt``, a man and a woman whose Resemblyzer centroids are far
apart (cosine about 0.57), so speaker partitioning on them is nearly trivial. These
visits pair voices of one sex (:data:`PAIRS`, voices of ``scripts/synth.py``):

* ``male-male``: Festival's US male diphone voices ``kal`` (clinician) and ``ked``
  (patient), the closest pair of the male voices that install offline (cosine about
  0.77 on a few test sentences, against 0.72 for joe/kal);
* ``female-female``: ``slt`` (clinician) and ``slt-low``, the same voice three
  semitones lower with sox (``scripts/synth.py``'s ``SLT_LOW_CENTS``): no second
  natural female voice installs offline, espeak-ng's female variants are formant
  voices far from ``slt`` (about 0.6-0.67) and would make the pair easy again.

The speaker evaluation reports each pair's closeness on its own visits
(:mod:`medscribe.evaluation.speakers`).

Which conversations, by a fixed rule (never by scores): per split of ``split.json``,
the ACI-Bench visits in the devset's round-robin order over specialty tags and the
PriMock57 consultations in id order; ``male-male`` takes the first
:data:`ACI_PER_PAIR` and :data:`PRIMOCK_PER_PAIR` of each, ``female-female`` the next
ones, so no conversation is voiced twice. The excerpt is the dialogue's first turns
up to :data:`VISIT_WORDS` words (:func:`~medscribe.evaluation.devset.dialogue_excerpt`,
ending at a turn boundary: about 2-3 minutes), backchannels ("Okay.", "Yep.") kept as
turns. Gaps between turns are drawn uniformly from :data:`GAP_RANGE` seconds (a
generator seeded by the case name: the same case always gets the same gaps); turns
never overlap.

Each case folder (the format of :mod:`medscribe.evaluation.dataset`) holds
``mono.wav`` (16 kHz), ``ref.rttm`` (speakers ``CLINICIAN`` and ``PATIENT``),
``ref.json`` (the turns with their text), ``ref.txt`` and ``meta.json`` (type
conversation, specialty by :func:`~medscribe.evaluation.corpus.tag_specialty` of the
whole visit, split, corpus, source id, pair and the voice of each role). A case whose
``.source-sha256`` stamp matches its script, gaps, voices and :data:`SYNTH_VERSION` is
not made again. Folders are 0700 and files 0600.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medscribe.evaluation.corpus import Split, Visit, load_visits
from medscribe.evaluation.dataset import SpeakerTurn, write_rttm, write_turns_json
from medscribe.evaluation.devset import (
    SAMPLE_RATE,
    _trim,
    dialogue_excerpt,
    round_robin,
    visit_specialty,
    wav_seconds,
    write_wav,
)
from medscribe.evaluation.verbalize import verbalize_line
from medscribe.files import private_dir, write_private

__all__ = [
    "PAIRS",
    "VisitScript",
    "make_speaker_visits",
    "render_visit",
    "visit_scripts",
]

#: Pair kind -> (clinician's voice, patient's voice), voices of scripts/synth.py.
PAIRS: dict[str, tuple[str, str]] = {
    "male-male": ("kal", "ked"),
    "female-female": ("slt", "slt-low"),
}
#: Reference speaker names: the role is in the name (the roles evaluation reads it).
SPEAKERS = {"C": "CLINICIAN", "P": "PATIENT"}
ACI_PER_PAIR = 4
PRIMOCK_PER_PAIR = 4
VISIT_WORDS = 380
#: Silence between turns (seconds): from a quick reply to a pause to think.
GAP_RANGE = (0.15, 0.6)
LEAD_S = 0.5
#: Bump when the synthesis changes, so that cached cases are made again.
SYNTH_VERSION = "1"
STAMP = ".source-sha256"
_PEAK = 0.7


@dataclass(frozen=True, slots=True)
class VisitScript:
    """One close-voice visit: who says what, in which voices, with which gaps."""

    name: str
    pair: str
    visit: Visit
    lines: list[tuple[str, str]]  # (role letter C/P, reference text)

    @property
    def voices(self) -> dict[str, str]:
        clinician, patient = PAIRS[self.pair]
        return {SPEAKERS["C"]: clinician, SPEAKERS["P"]: patient}

    def gaps(self) -> list[float]:
        """One gap after each line but the last (seeded by the name: reproducible)."""
        rng = random.Random(self.name)
        return [round(rng.uniform(*GAP_RANGE), 3) for _ in self.lines[1:]]

    def meta(self) -> dict[str, object]:
        return {
            "specialty": visit_specialty(self.visit).value,
            "type": "CONVERSATION",
            "split": self.visit.split,
            "corpus": self.visit.corpus,
            "source_id": self.visit.id,
            "pair": self.pair,
            "voices": self.voices,
        }

    def stamp(self) -> str:
        spoken = [verbalize_line(text) for _, text in self.lines]
        key = json.dumps(
            [SYNTH_VERSION, self.meta(), self.lines, spoken, self.gaps(), LEAD_S], sort_keys=True
        )
        return hashlib.sha256(key.encode()).hexdigest()


def visit_scripts(corpora: Path, splits: Iterable[Split] = ("tune", "test")) -> list[VisitScript]:
    """The close-voice visits of ``splits`` from the corpora under ``corpora`` (name order)."""
    scripts: list[VisitScript] = []
    for split in splits:
        visits = load_visits(corpora, split=split)
        aci = round_robin([v for v in visits if v.corpus == "aci-bench"])
        primock = sorted((v for v in visits if v.corpus == "primock57"), key=lambda v: v.id)
        for index, pair in enumerate(PAIRS):
            chosen = (
                aci[index * ACI_PER_PAIR : (index + 1) * ACI_PER_PAIR]
                + primock[index * PRIMOCK_PER_PAIR : (index + 1) * PRIMOCK_PER_PAIR]
            )
            for visit in chosen:
                lines = dialogue_excerpt(visit, VISIT_WORDS)
                if lines:
                    scripts.append(VisitScript(f"{visit.id}-{pair}", pair, visit, lines))
    return sorted(scripts, key=lambda s: s.name)


def render_visit(
    script: VisitScript, synthesize: Callable[[str, str], np.ndarray]
) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """The visit's mono audio and its reference turns (exact: from the synthesis)."""
    voices = script.voices
    clips: list[np.ndarray] = []
    turns: list[SpeakerTurn] = []
    position = int(LEAD_S * SAMPLE_RATE)
    for (role, text), gap in zip(script.lines, [*script.gaps(), 0.0], strict=True):
        speaker = SPEAKERS[role]
        clip = _trim(np.asarray(synthesize(verbalize_line(text), voices[speaker]), np.float32))
        if clip.size == 0:  # nothing audible (a line of punctuation): no turn
            continue
        clips.append(clip * (_PEAK / float(np.max(np.abs(clip)))))  # the voices level
        end = position + clip.size
        turns.append(SpeakerTurn(speaker, position / SAMPLE_RATE, end / SAMPLE_RATE, text))
        position = end + int(gap * SAMPLE_RATE)
    end_of_speech = round(turns[-1].end * SAMPLE_RATE) if turns else 0
    mono = np.zeros(end_of_speech + int(LEAD_S * SAMPLE_RATE), dtype=np.float32)
    for clip, turn in zip(clips, turns, strict=True):
        start = round(turn.start * SAMPLE_RATE)
        mono[start : start + clip.size] = clip
    return mono, turns


def write_visit(
    out: Path, script: VisitScript, synthesize: Callable[[str, str], np.ndarray]
) -> float:
    """Synthesise one visit into ``out/NAME``; returns its duration in seconds."""
    folder = out / script.name
    private_dir(folder, parents=True)
    (folder / STAMP).unlink(missing_ok=True)
    mono, turns = render_visit(script, synthesize)
    write_wav(folder / "mono.wav", mono)
    write_private(folder / "ref.txt", "\n".join(t.text for t in turns) + "\n")
    write_rttm(folder / "ref.rttm", script.name, turns)
    write_turns_json(folder / "ref.json", turns)
    write_private(folder / "meta.json", json.dumps(script.meta(), indent=2) + "\n")
    write_private(folder / STAMP, script.stamp() + "\n")  # written last: the case is whole
    return mono.size / SAMPLE_RATE


def _cached_seconds(folder: Path, script: VisitScript) -> float | None:
    stamp = folder / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != script.stamp():
        return None
    return wav_seconds(folder / "mono.wav")


def make_speaker_visits(
    out: str | Path,
    *,
    corpora: Path | None = None,
    splits: Iterable[Split] = ("tune", "test"),
    scripts: list[VisitScript] | None = None,
    force: bool = False,
    on_case: Callable[[str, float, bool], None] | None = None,
    synthesize: Callable[[str, str], np.ndarray] | None = None,
) -> float:
    """Write the close-voice visits into ``out`` (up-to-date ones kept); total seconds.

    ``scripts`` default to :func:`visit_scripts` of the corpora under ``corpora``
    (default: :func:`~medscribe.evaluation.corpus.default_corpora_root`); ``synthesize``
    to ``scripts/synth.py``'s. Raises :class:`~medscribe.errors.DatasetError` without
    corpora and :class:`~medscribe.errors.ConfigError` without a checkout's scripts/.
    """
    from medscribe.evaluation.devset import _corpora_root, _synth_module

    out = Path(out)
    if scripts is None:
        scripts = visit_scripts(_corpora_root(corpora), splits)
    private_dir(out, parents=True)  # after the corpora are found: no empty folder on a refusal
    total = 0.0
    for script in scripts:
        cached = None if force else _cached_seconds(out / script.name, script)
        if cached is None:
            if synthesize is None:
                synthesize = _synth_module().synthesize
            seconds = write_visit(out, script, synthesize)
        else:
            seconds = cached
        total += seconds
        if on_case is not None:
            on_case(script.name, seconds, cached is not None)
    return total

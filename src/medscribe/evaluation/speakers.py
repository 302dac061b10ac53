"""The speaker evaluation: DER and speaker count of the speaker stage on real and close voices.

What it measures, for every recording of a set (:func:`load_recordings`):

* **recordings**: the AMI meeting excerpts of ``<data>/meetings`` (``train.rttm``;
  only the region of ``train.uem`` is scored), the real speech of ``<data>/speech``
  (``pyannote_sample`` with its RTTM; ``endgame_nagg_nell``, two actors without a
  reference: speaker count only), each in the split that
  ``medscribe/data/devset/speakers-split.json`` gives it, and the close-voice
  synthetic visits of :mod:`medscribe.evaluation.synth_visits` (the split of their
  source visit). Groups: ``meetings``, ``speech``, ``synthetic-male-male``,
  ``synthetic-female-female``.
* **recognition once**: the process's engine (:func:`~medscribe.engine.shared_engine`,
  the model loaded once) transcribes each recording as a job without speaker
  partitioning does (every stage on; the words the speaker stage gets in a real run).
* three **hypotheses**, each scored by pyannote.metrics' DiarizationErrorRate (collar
  :data:`~medscribe.evaluation.metrics.DER_COLLAR`, overlap scored, UEM where given):

  - ``stage``: the speaker stage's own timeline,
    :func:`medscribe.engine.speakers.diarize` ``(audio, 10, words=...)``'s turns;
  - ``words``: the words' labels, :func:`~medscribe.engine.speakers.assign_speakers`
    ``(audio, items, 10)``, as turns of :func:`~medscribe.evaluation.metrics.hypothesis_turns`
    (what a transcript says);
  - ``baseline``: a naive system in the same run, *told the true count*: faster-whisper's
    Silero VAD segments (``get_speech_timestamps``, default options), one Resemblyzer
    embedding per segment, average-linkage agglomerative clustering (cosine) into
    that many clusters.

  The count is never given to ours: :data:`MAX_SPEAKERS` (10) is the maximum, as
  ``--speakers 10``.
* **speaker count**: found (the words' labels) against the reference's speakers in
  the scored region; ``count_right`` over two-party recordings (true count 2).
* **cost**: CPU seconds (``time.process_time``, all threads of the process) of the
  recognition and of ``assign_speakers`` (the speaker stage as a job runs it), and
  their ratio: summed over recordings, and the median of the recordings' ratios (the
  stage's wall seconds too, per file). The encoder is loaded and
  warmed up before the first recording (a job warms it while the model decodes), and
  its load is reported apart; the stage runs once untimed on the first recording too,
  so that no first-call cost (imports, allocations) lands on one recording's figure.
  OpenMP threads that spin while waiting count as CPU: on a loaded machine one
  recording's stage can cost ten times its usual CPU, so the summed share varies from
  run to run and the median is the steadier figure (see ``OMP_WAIT_POLICY``).
* **voice closeness** of each synthetic pair: the cosine similarity of the two voices'
  centroids (mean of Resemblyzer ``embed_utterance`` of each reference turn of at
  least :data:`CLOSENESS_MIN_TURN_S` seconds, at most :data:`CLOSENESS_TURNS` per
  voice and visit), per split; per visit too.

DER components are summed over recordings (sum of errors / sum of totals) per split
and group, per split over all groups, and given per file. Nothing here logs or keeps
transcript text; with ``cache`` the recognised transcripts (patient data in a real
set) are kept as 0600 files named by a hash, to rerun the speaker stage without the
recogniser (the report then says the recognition CPU comes from that cache).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from medscribe.errors import DatasetError, MedscribeError
from medscribe.evaluation.corpus import Split
from medscribe.evaluation.dataset import SpeakerTurn, load_case, read_rttm
from medscribe.evaluation.metrics import DER_COLLAR, DerCounts, diarization_counts
from medscribe.request import Specialty

if TYPE_CHECKING:
    from medscribe.engine import Engine
    from medscribe.transcript import Item, Transcript

__all__ = [
    "GROUPS",
    "MAX_SPEAKERS",
    "SYSTEMS",
    "FileResult",
    "GroupSummary",
    "Recording",
    "SpeakerReport",
    "default_data_root",
    "load_recordings",
    "naive_baseline",
    "render_speaker_report",
    "report_to_json",
    "run_speaker_eval",
]

MAX_SPEAKERS = 10
SAMPLE_RATE = 16_000
GROUPS = ("meetings", "speech", "synthetic-male-male", "synthetic-female-female")
SYSTEMS = ("stage", "words", "baseline")
#: Recordings without a reference whose speaker count is known: endgame_nagg_nell is
#: "two actors in dialogue" (../shared/data/speech/README.md).
KNOWN_COUNTS = {"endgame_nagg_nell": 2}
CLOSENESS_MIN_TURN_S = 1.0
CLOSENESS_TURNS = 12
#: Bump when what the recognition cache holds changes.
CACHE_VERSION = "1"


# --------------------------------------------------------------------------- recordings


@dataclass(frozen=True, slots=True)
class Recording:
    """One recording to score: its audio, reference turns and scored region."""

    name: str
    group: str
    split: Split
    audio: Path
    reference: list[SpeakerTurn] | None
    uem: list[tuple[float, float]] | None = None
    specialty: Specialty = Specialty.PRIMARYCARE
    known_count: int | None = None

    @property
    def true_count(self) -> int | None:
        """Speakers of the reference that speak in the scored region (else the known count)."""
        if not self.reference:
            return self.known_count
        turns = self.reference
        if self.uem is not None:
            turns = [t for t in turns if any(t.start < b and t.end > a for a, b in self.uem)]
        return len({t.speaker for t in turns})


def default_data_root() -> Path | None:
    """``$MEDSCRIBE_SHARED_DATA``, else ``../shared/data`` beside the checkout, or None."""
    env = os.environ.get("MEDSCRIBE_SHARED_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[3].parent / "shared" / "data"
    return path if path.is_dir() else None


@cache
def speakers_split() -> dict[str, dict[str, list[str]]]:
    """``{"tune"|"test": {"meetings"|"speech": names}}`` of the committed speakers-split.json."""
    path = resources.files("medscribe") / "data" / "devset" / "speakers-split.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {split: dict(data[split]) for split in ("tune", "test")}


def load_recordings(
    data_root: Path,
    visits_dir: Path | None,
    splits: Iterable[Split] = ("tune", "test"),
    groups: Iterable[str] = GROUPS,
) -> list[Recording]:
    """The recordings of ``splits`` and ``groups``; raises :class:`DatasetError` for a gap."""
    wanted = set(groups)
    out: list[Recording] = []
    for split in splits:
        names = speakers_split()[split]
        if "meetings" in wanted:
            out += meeting_recordings(data_root / "meetings", names["meetings"], split)
        if "speech" in wanted:
            out += speech_recordings(data_root / "speech", names["speech"], split)
    if visits_dir is not None and wanted & {"synthetic-male-male", "synthetic-female-female"}:
        out += [r for r in visit_recordings(visits_dir, set(splits)) if r.group in wanted]
    return out


def meeting_recordings(folder: Path, names: Sequence[str], split: Split) -> list[Recording]:
    """The AMI excerpts ``names``: ``NAME.wav``, turns of train.rttm, regions of train.uem."""
    turns = _rttm_by_file(folder / "train.rttm")
    regions = _uem_by_file(folder / "train.uem")
    out = []
    for name in names:
        audio = folder / f"{name}.wav"
        if not audio.is_file() or name not in turns:
            raise DatasetError(f"{folder}: no {name}.wav or no turns of it in train.rttm")
        out.append(Recording(name, "meetings", split, audio, turns[name], regions.get(name)))
    return out


def speech_recordings(folder: Path, names: Sequence[str], split: Split) -> list[Recording]:
    """Loose recordings ``NAME.wav`` with ``NAME.rttm`` (or a known speaker count)."""
    out = []
    for name in names:
        audio, rttm = folder / f"{name}.wav", folder / f"{name}.rttm"
        if not audio.is_file():
            raise DatasetError(f"{folder}: no {name}.wav")
        reference = read_rttm(rttm, name) if rttm.is_file() else None
        known = KNOWN_COUNTS.get(name)
        if reference is None and known is None:
            continue  # nothing to score it against
        out.append(Recording(name, "speech", split, audio, reference, known_count=known))
    return out


def visit_recordings(folder: Path, splits: set[Split]) -> list[Recording]:
    """The synthetic visits under ``folder`` (dataset format) of ``splits``."""
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no synthetic visits (make them first)", path=folder)
    out = []
    for case_dir in sorted(p for p in folder.iterdir() if (p / "meta.json").is_file()):
        case = load_case(case_dir)
        pair, split = case.meta.get("pair"), case.split
        if split not in splits or not isinstance(pair, str) or case.mono is None:
            continue
        group = f"synthetic-{pair}"
        out.append(Recording(case.name, group, split, case.mono, case.rttm, None, case.specialty))
    return out


def _rttm_lines(path: Path) -> Iterable[list[str]]:
    if not path.is_file():
        raise DatasetError(f"{path}: missing", path=path)
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            yield fields


def _rttm_by_file(path: Path) -> dict[str, list[SpeakerTurn]]:
    """An RTTM of several files: file id -> its SPEAKER turns."""
    out: dict[str, list[SpeakerTurn]] = {}
    for fields in _rttm_lines(path):
        if fields[0] != "SPEAKER" or len(fields) < 8:
            continue
        start, duration = float(fields[3]), float(fields[4])
        out.setdefault(fields[1], []).append(SpeakerTurn(fields[7], start, start + duration))
    return out


def _uem_by_file(path: Path) -> dict[str, list[tuple[float, float]]]:
    """A UEM file (``file channel start end``): file id -> its scored regions."""
    out: dict[str, list[tuple[float, float]]] = {}
    if not path.is_file():
        return out
    for fields in _rttm_lines(path):
        if len(fields) >= 4:
            out.setdefault(fields[0], []).append((float(fields[2]), float(fields[3])))
    return out


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class FileResult:
    """The figures of one recording (no text)."""

    name: str
    group: str
    split: str
    audio_seconds: float = 0.0
    true_count: int | None = None
    speakers_found: int | None = None
    stage_speakers: int | None = None
    der: dict[str, DerCounts] = field(default_factory=dict)
    recognition_cpu_s: float = 0.0
    speakers_cpu_s: float = 0.0
    speakers_wall_s: float = 0.0
    closeness: float | None = None
    error: str | None = None
    #: Per reference speaker: (sum of its turn embeddings, turns), for the pair's closeness.
    voices: dict[str, tuple[np.ndarray, int]] = field(default_factory=dict, repr=False)

    @property
    def count_right(self) -> bool | None:
        if self.true_count is None or self.speakers_found is None:
            return None
        return self.speakers_found == self.true_count


@dataclass(slots=True)
class GroupSummary:
    """Summed figures of several recordings."""

    label: str
    recordings: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    der: dict[str, DerCounts] = field(default_factory=dict)
    two_party: int = 0
    two_party_right: int = 0
    recognition_cpu_s: float = 0.0
    speakers_cpu_s: float = 0.0
    #: Each recording's stage/recognition CPU ratio (for the median).
    shares: list[float] = field(default_factory=list)

    @property
    def cpu_share(self) -> float | None:
        return self.speakers_cpu_s / self.recognition_cpu_s if self.recognition_cpu_s else None

    @property
    def median_share(self) -> float | None:
        """The median of the recordings' ratios: not moved by one run that spun."""
        return float(np.median(self.shares)) if self.shares else None

    def add(self, result: FileResult) -> None:
        self.recordings += 1
        if result.error is not None:
            self.failed += 1
            return
        self.audio_seconds += result.audio_seconds
        self.recognition_cpu_s += result.recognition_cpu_s
        self.speakers_cpu_s += result.speakers_cpu_s
        if result.recognition_cpu_s > 0 and result.speakers_found:
            self.shares.append(result.speakers_cpu_s / result.recognition_cpu_s)
        for system, counts in result.der.items():
            self.der[system] = self.der.get(system, DerCounts()) + counts
        if result.true_count == 2:
            self.two_party += 1
            self.two_party_right += bool(result.count_right)


@dataclass(slots=True)
class SpeakerReport:
    settings: dict[str, Any]
    files: list[FileResult]
    #: split -> group (and "all") -> summary
    by_split: dict[str, dict[str, GroupSummary]]
    #: split -> pair kind -> cosine similarity of the two voices' centroids
    closeness: dict[str, dict[str, float]]


# --------------------------------------------------------------------------- one recording


OnFile = Callable[[FileResult, int, int], None]


def run_speaker_eval(
    recordings: list[Recording],
    *,
    engine: Engine | None = None,
    cache_dir: Path | None = None,
    on_file: OnFile | None = None,
) -> SpeakerReport:
    """Score every recording (see the module docstring); one failure does not stop the run."""
    from medscribe.engine import shared_engine
    from medscribe.engine.speakers.embeddings import warm_up

    started = time.perf_counter()
    engine = engine or shared_engine()
    model_load = time.perf_counter() - started
    started = time.perf_counter()
    warm_up()
    encoder_load = time.perf_counter() - started
    files: list[FileResult] = []
    for index, recording in enumerate(recordings, start=1):
        result = evaluate_recording(engine, recording, cache_dir=cache_dir, warm=index == 1)
        files.append(result)
        if on_file is not None:
            on_file(result, index, len(recordings))
    settings = {
        "max_speakers": MAX_SPEAKERS,
        "collar": DER_COLLAR,
        "skip_overlap": False,
        "model": engine.config.model or "embedded",
        "specialty_pass": engine.config.specialty_pass,
        "recognition_cached": cache_dir is not None,
        "model_load_s": round(model_load, 2),
        "encoder_load_s": round(encoder_load, 2),
        "baseline": "Silero VAD segments (faster-whisper defaults), one Resemblyzer "
        "embedding each, average-linkage cosine clustering told the true count",
    }
    return SpeakerReport(settings, files, summarise(files), pair_closeness(files))


def evaluate_recording(
    engine: Engine, recording: Recording, *, cache_dir: Path | None = None, warm: bool = False
) -> FileResult:
    """The figures of one recording; a failure is recorded in the result, not raised.

    ``warm``: run the speaker stage once untimed first (see the module docstring).
    """
    from medscribe.engine.audio import decode

    result = FileResult(recording.name, recording.group, recording.split)
    result.true_count = recording.true_count
    try:
        audio = decode(recording.audio)
        transcript, result.recognition_cpu_s = _recognise(engine, recording, cache_dir)
    except MedscribeError as exc:
        result.error = str(exc)
        return result
    result.audio_seconds = len(audio) / SAMPLE_RATE
    if warm:
        from medscribe.engine.speakers import assign_speakers

        assign_speakers(audio, copy.deepcopy(transcript.items), MAX_SPEAKERS)
    hypotheses = _hypotheses(audio, transcript.items, recording, result)
    if recording.reference:
        for system, turns in hypotheses.items():
            result.der[system] = diarization_counts(recording.reference, turns, uem=recording.uem)
    if recording.group.startswith("synthetic-") and recording.reference:
        result.voices = voice_sums(audio, recording.reference)
        result.closeness = _closeness(result.voices)
    return result


def _hypotheses(
    audio: np.ndarray, items: list[Item], recording: Recording, result: FileResult
) -> dict[str, list[SpeakerTurn]]:
    """The three systems' turns; fills the counts and the speaker stage's CPU time."""
    from medscribe.engine.speakers import assign_speakers, diarize
    from medscribe.evaluation.metrics import hypothesis_turns
    from medscribe.transcript import Transcript

    labelled = copy.deepcopy(items)
    cpu, wall = time.process_time(), time.perf_counter()
    result.speakers_found = assign_speakers(audio, labelled, MAX_SPEAKERS)
    result.speakers_cpu_s = time.process_time() - cpu
    result.speakers_wall_s = time.perf_counter() - wall
    words = [
        i
        for i in copy.deepcopy(items)
        if not i.is_punctuation and i.start is not None and i.end is not None
    ]
    timeline = diarize(audio, MAX_SPEAKERS, words=words)
    result.stage_speakers = timeline.speakers
    return {
        "stage": [SpeakerTurn(f"spk_{k}", a, b) for k, a, b in timeline.turns],
        "words": hypothesis_turns(Transcript(items=labelled)),
        "baseline": naive_baseline(audio, max(recording.true_count or 1, 1)),
    }


def _recognise(
    engine: Engine, recording: Recording, cache_dir: Path | None
) -> tuple[Transcript, float]:
    """The engine's transcript of the recording (no speakers) and its CPU seconds."""
    from medscribe.request import TranscriptionType, build_options
    from medscribe.transcript import codec

    options = build_options(specialty=recording.specialty, type=TranscriptionType.CONVERSATION)
    path = _cache_path(engine, recording, cache_dir) if cache_dir is not None else None
    if path is not None and path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
        return codec.from_json(stored["transcript"]), float(stored["cpu_s"])
    cpu = time.process_time()
    transcript = engine.transcribe(recording.audio, options)
    seconds = time.process_time() - cpu
    if path is not None:
        from medscribe.files import private_dir, write_private

        private_dir(path.parent, parents=True)
        data = {"cpu_s": seconds, "transcript": codec.to_json(transcript)}
        write_private(path, json.dumps(data) + "\n")
    return transcript, seconds


def _cache_path(engine: Engine, recording: Recording, cache_dir: Path) -> Path:
    """A file named by the audio's content and the recognition's settings (not the name)."""
    digest = hashlib.sha256()
    digest.update(recording.audio.read_bytes())
    digest.update(f"{CACHE_VERSION}|{engine.config!r}|{recording.specialty.value}".encode())
    return cache_dir / f"{digest.hexdigest()[:32]}.json"


def naive_baseline(audio: np.ndarray, n_speakers: int) -> list[SpeakerTurn]:
    """VAD segments, one embedding each, clustered into ``n_speakers`` (the module docstring)."""
    from faster_whisper.vad import get_speech_timestamps
    from scipy.cluster.hierarchy import fcluster, linkage

    from medscribe.engine.speakers.embeddings import load_encoder

    spans = [(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(audio)]
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:
        return []
    if len(spans) == 1 or n_speakers <= 1:
        labels = np.ones(len(spans), dtype=int)
    else:
        encoder = load_encoder()
        vectors = np.stack([encoder.embed_utterance(audio[a:b]) for a, b in spans])
        labels = fcluster(linkage(vectors, "average", "cosine"), n_speakers, "maxclust")
    return [
        SpeakerTurn(f"spk_{int(k) - 1}", a / SAMPLE_RATE, b / SAMPLE_RATE)
        for (a, b), k in zip(spans, labels, strict=True)
    ]


# --------------------------------------------------------------------------- closeness


def voice_sums(
    audio: np.ndarray, reference: list[SpeakerTurn]
) -> dict[str, tuple[np.ndarray, int]]:
    """Per speaker: the sum of its turns' embeddings and how many (see the module docstring)."""
    from medscribe.engine.speakers.embeddings import load_encoder

    encoder = load_encoder()
    out: dict[str, tuple[np.ndarray, int]] = {}
    for turn in reference:
        total, count = out.get(turn.speaker, (np.zeros(256, dtype=np.float64), 0))
        if turn.end - turn.start < CLOSENESS_MIN_TURN_S or count >= CLOSENESS_TURNS:
            continue
        clip = audio[int(turn.start * SAMPLE_RATE) : int(turn.end * SAMPLE_RATE)]
        out[turn.speaker] = (total + encoder.embed_utterance(clip), count + 1)
    return out


def _closeness(sums: dict[str, tuple[np.ndarray, int]]) -> float | None:
    """Cosine similarity of the two speakers' centroids (None unless exactly two)."""
    vectors = [total for total, count in sums.values() if count]
    if len(vectors) != 2:
        return None
    a, b = vectors
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def pair_closeness(files: list[FileResult]) -> dict[str, dict[str, float]]:
    """split -> pair kind -> closeness of the voices over all that split's visits."""
    sums: dict[tuple[str, str], dict[str, tuple[np.ndarray, int]]] = {}
    for result in files:
        if not result.voices:
            continue
        pair = sums.setdefault((result.split, result.group.removeprefix("synthetic-")), {})
        for speaker, (total, count) in result.voices.items():
            before, n = pair.get(speaker, (np.zeros_like(total), 0))
            pair[speaker] = (before + total, n + count)
    out: dict[str, dict[str, float]] = {}
    for (split, pair_kind), voices in sorted(sums.items()):
        value = _closeness(voices)
        if value is not None:
            out.setdefault(split, {})[pair_kind] = round(value, 3)
    return out


# --------------------------------------------------------------------------- summaries


def summarise(files: list[FileResult]) -> dict[str, dict[str, GroupSummary]]:
    """split -> group -> summary, with ``synthetic`` (both pairs) and ``all`` per split."""
    out: dict[str, dict[str, GroupSummary]] = {}
    for result in files:
        split = out.setdefault(result.split, {})
        labels = [result.group, "all"]
        if result.group.startswith("synthetic-"):
            labels.insert(1, "synthetic")
        for label in labels:
            split.setdefault(label, GroupSummary(label)).add(result)
    order = [*GROUPS, "synthetic", "all"]
    return {
        split: {g: groups[g] for g in order if g in groups}
        for split, groups in sorted(out.items(), key=lambda kv: kv[0] != "tune")
    }


def _der_json(counts: DerCounts) -> dict[str, float | None]:
    return {
        "der": _round(counts.der, 4),
        "missed": round(counts.missed, 3),
        "false_alarm": round(counts.false_alarm, 3),
        "confusion": round(counts.confusion, 3),
        "total": round(counts.total, 3),
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _summary_json(summary: GroupSummary) -> dict[str, Any]:
    return {
        "recordings": summary.recordings,
        "failed": summary.failed,
        "audio_s": round(summary.audio_seconds, 1),
        "der": {system: _der_json(c) for system, c in summary.der.items()},
        "two_party_recordings": summary.two_party,
        "two_party_count_right": summary.two_party_right,
        "two_party_count_right_share": (
            round(summary.two_party_right / summary.two_party, 3) if summary.two_party else None
        ),
        "recognition_cpu_s": round(summary.recognition_cpu_s, 2),
        "speakers_cpu_s": round(summary.speakers_cpu_s, 2),
        "speakers_cpu_share": _round(summary.cpu_share, 4),
        "speakers_cpu_share_median": _round(summary.median_share, 4),
    }


def _file_json(result: FileResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "group": result.group,
        "split": result.split,
        "error": result.error,
        "audio_s": round(result.audio_seconds, 2),
        "true_count": result.true_count,
        "speakers_found": result.speakers_found,
        "stage_speakers": result.stage_speakers,
        "count_right": result.count_right,
        "der": {system: _der_json(c) for system, c in result.der.items()},
        "recognition_cpu_s": round(result.recognition_cpu_s, 2),
        "speakers_cpu_s": round(result.speakers_cpu_s, 3),
        "speakers_wall_s": round(result.speakers_wall_s, 3),
        "voice_closeness": _round(result.closeness, 3),
    }


def report_to_json(report: SpeakerReport) -> dict[str, Any]:
    return {
        "settings": report.settings,
        "splits": {
            split: {group: _summary_json(s) for group, s in groups.items()}
            for split, groups in report.by_split.items()
        },
        "voice_closeness": report.closeness,
        "files": [_file_json(f) for f in report.files],
    }


def render_speaker_report(report: SpeakerReport, console: Any) -> None:
    """One Rich table: per split and group, DER of the three systems, count, CPU share."""
    from rich.table import Table

    table = Table(
        title=f"Speaker partitioning (max {MAX_SPEAKERS} speakers; baseline told the count)",
        title_justify="left",
    )
    columns = ("split", "group", "files", "audio min", "DER stage", "DER words")
    more = ("DER baseline", "count 2-party", "CPU share", "median", "voices cos")
    for name in (*columns, *more):
        table.add_column(name, justify="left" if name in ("split", "group") else "right")
    for split, groups in report.by_split.items():
        for label, s in groups.items():
            table.add_row(
                split,
                label,
                str(s.recordings) + (f" ({s.failed} failed)" if s.failed else ""),
                f"{s.audio_seconds / 60:.1f}",
                *(_pct(s.der.get(system)) for system in SYSTEMS),
                f"{s.two_party_right}/{s.two_party}" if s.two_party else "",
                f"{s.cpu_share:.1%}" if s.cpu_share is not None else "",
                f"{s.median_share:.1%}" if s.median_share is not None else "",
                _pair_cell(report, split, label),
            )
    console.print(table)


def _pct(counts: DerCounts | None) -> str:
    value = counts.der if counts is not None else None
    return "" if value is None else f"{value:.1%}"


def _pair_cell(report: SpeakerReport, split: str, label: str) -> str:
    value = report.closeness.get(split, {}).get(label.removeprefix("synthetic-"))
    return "" if value is None else f"{value:.3f}"

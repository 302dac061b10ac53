"""The evaluation run: every case of a dataset through the real offline engine, scored.

For each case the harness transcribes the audio with the process's
:class:`medscribe.engine.Engine` (:meth:`~medscribe.engine.Engine.transcribe`,
the call the local backend's jobs make) using the case's own specialty and
type, times it, and scores it: WER of the normalised texts, rare
medical-term recall, DER where the case has ``ref.rttm`` and the transcript has
speaker or channel labels, real-time factor (transcription wall time / audio
duration). Counts are summed per specialty and overall, so the summary WER is a
corpus WER (total errors / total reference words), not a mean of case WERs.

Speaker handling: ``channels=True`` transcribes ``stereo.wav`` with channel
identification; ``speakers=N`` asks for speaker partitioning with at most N
speakers on every case; by default (``None``) a case with ``ref.rttm`` naming two
or more speakers gets partitioning with that many speakers.

Which cases: all of the dataset, or those of one ``split`` (``tune``/``test``, from
each case's meta.json), of a specialty or type, named ones, or the first ``limit`` in
name order. Which audio: the ``condition`` ``clean`` (``mono.wav``; ``stereo.wav`` with
channels) or ``room`` (``room.wav``: reverberation and noise). Summaries are per
specialty and overall, and per split where cases have one.

:func:`medscribe.evaluation.comparison.run_comparison` runs the cases in both
conditions with the specialty pass off and on, with the correction precision.

The engine (and its model) is made once before the first case, and that time
is reported apart from the per-case wall times. The report's settings say
which stages ran (``specialty_pass``, ``formatting``). Nothing here logs transcript text; the
transcripts are written only when the caller gives ``transcripts_dir``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medscribe.engine import Engine, EngineConfig, shared_engine
from medscribe.errors import BackendError, MedscribeError
from medscribe.evaluation.dataset import Case, load_dataset
from medscribe.evaluation.metrics import (
    DerCounts,
    WordErrors,
    diarization_counts,
    hypothesis_turns,
    word_errors,
)
from medscribe.evaluation.normalize import normalize_words
from medscribe.evaluation.terms import TermRecall, term_recall
from medscribe.request import Specialty, TranscriptionOptions, TranscriptionType, build_options
from medscribe.transcript import Transcript
from medscribe.vocabulary import VocabularyEntry, parse_vocabulary

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CaseResult:
    """Scores and timings of one case (no text: transcripts are patient data)."""

    name: str
    specialty: str
    type: str
    split: str | None = None
    condition: str = "clean"
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    #: CPU time of the process (all threads) while the case ran: steadier than wall time
    #: on a shared machine, and what "costs +N % CPU" means.
    cpu_seconds: float = 0.0
    words: WordErrors = field(default_factory=WordErrors)
    terms: TermRecall = field(default_factory=lambda: TermRecall(0, 0))
    der: DerCounts | None = None
    speakers_found: int | None = None
    error: str | None = None

    @property
    def rtf(self) -> float | None:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else None


@dataclass(slots=True)
class Summary:
    """Summed counts of several cases."""

    label: str
    cases: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    words: WordErrors = field(default_factory=WordErrors)
    terms: TermRecall = field(default_factory=lambda: TermRecall(0, 0))
    der: DerCounts | None = None

    @property
    def rtf(self) -> float | None:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else None

    def add(self, result: CaseResult) -> None:
        self.cases += 1
        if result.error is not None:
            self.failed += 1
            return
        self.audio_seconds += result.audio_seconds
        self.wall_seconds += result.wall_seconds
        self.cpu_seconds += result.cpu_seconds
        self.words = self.words + result.words
        self.terms = self.terms + result.terms
        if result.der is not None:
            self.der = result.der if self.der is None else self.der + result.der


@dataclass(slots=True)
class EvalReport:
    dataset: str
    settings: dict[str, Any]
    model_load_seconds: float
    cases: list[CaseResult]
    by_specialty: dict[str, Summary]
    overall: Summary
    #: split -> specialty (and "overall") -> summary, for cases that name a split.
    by_split: dict[str, dict[str, Summary]] = field(default_factory=dict)


Transcribe = Callable[[Path, TranscriptionOptions], Transcript]


CONDITIONS = ("clean", "room")


def select_cases(
    cases: list[Case],
    *,
    specialty: Specialty | None = None,
    type: TranscriptionType | None = None,
    split: str | None = None,
    names: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Case]:
    """The cases of one specialty, type and/or split, or named ones (``None`` keeps all).

    ``limit`` keeps the first that many of them, in name order. Unknown names raise
    :class:`~medscribe.errors.BackendError`.
    """
    if names:
        unknown = sorted(set(names) - {c.name for c in cases})
        if unknown:
            raise BackendError(f"no case named {', '.join(unknown)}", option="case_filter")
    chosen = [
        c
        for c in cases
        if (specialty is None or c.specialty is specialty)
        and (type is None or c.type is type)
        and (split is None or c.split == split)
        and (not names or c.name in names)
    ]
    return chosen[:limit] if limit is not None else chosen


def case_options(
    case: Case, *, speakers: int | None, channels: bool, vocabulary: str | None = None
) -> TranscriptionOptions:
    """The request for one case: its specialty and type, plus the speaker handling."""
    max_speakers = speakers
    if not channels and speakers is None and case.rttm:
        count = len({t.speaker for t in case.rttm})
        max_speakers = count if count >= 2 else None
    return build_options(
        specialty=case.specialty,
        type=case.type,
        max_speakers=max_speakers,
        channel_identification=channels,
        vocabulary=vocabulary,
    )


def _blank(case: Case, condition: str = "clean", error: str | None = None) -> CaseResult:
    return CaseResult(
        case.name, case.specialty.value, case.type.value, case.split, condition, error=error
    )


def score_case(case: Case, transcript: Transcript, condition: str = "clean") -> CaseResult:
    """WER, term recall and DER of one transcript against the case's references."""
    ref_words = normalize_words(case.reference)
    hyp_words = normalize_words(transcript.text)
    result = _blank(case, condition)
    if ref_words:  # a case with speaker references only has no WER (and adds none)
        result.words = word_errors(ref_words, hyp_words)
        result.terms = term_recall(ref_words, hyp_words)
    hyp_turns = hypothesis_turns(transcript)
    if case.rttm and hyp_turns:
        result.der = diarization_counts(case.rttm, hyp_turns)
    result.speakers_found = transcript.speakers or transcript.channels
    return result


def evaluate_case(
    case: Case,
    options: TranscriptionOptions,
    transcribe: Transcribe,
    *,
    transcripts_dir: Path | None = None,
    condition: str = "clean",
) -> CaseResult:
    """Transcribe and score one case; a failure of this case is recorded, not raised."""
    return run_case(case, options, transcribe, transcripts_dir, condition)[0]


def run_case(
    case: Case,
    options: TranscriptionOptions,
    transcribe: Transcribe,
    transcripts_dir: Path | None,
    condition: str,
    transcript_name: str | None = None,
) -> tuple[CaseResult, list[str] | None]:
    """The case's result and its normalised hypothesis words (None when it failed)."""
    from medscribe.media import probe

    try:
        audio = case.audio(channels=options.channel_identification, condition=condition)
        duration = probe(audio).duration
        started, cpu_started = time.perf_counter(), time.process_time()
        transcript = transcribe(audio, options)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    except MedscribeError as exc:
        return _blank(case, condition, error=str(exc)), None
    result = score_case(case, transcript, condition)
    result.audio_seconds, result.wall_seconds, result.cpu_seconds = duration, wall, cpu
    if transcripts_dir is not None:
        from medscribe.files import private_dir, write_private
        from medscribe.transcript import codec

        # An evaluation may run on real recordings: its transcripts are patient data.
        private_dir(transcripts_dir, parents=True)
        name = transcript_name or case.name
        write_private(transcripts_dir / f"{name}.json", codec.dumps(transcript))
    return result, normalize_words(transcript.text)


def engine_transcriber(
    engine: Engine, vocabulary: Sequence[VocabularyEntry] | None = None
) -> Transcribe:
    """``engine`` as a ``transcribe(path, options)`` function, with a parsed vocabulary."""

    def transcribe(path: Path, options: TranscriptionOptions) -> Transcript:
        return engine.transcribe(path, options, job_name=path.parent.name, vocabulary=vocabulary)

    return transcribe


def load_cases(
    dataset: str | Path,
    *,
    specialty: Specialty | None,
    type: TranscriptionType | None,
    split: str | None,
    names: Sequence[str] | None,
    limit: int | None,
    channels: bool,
    conditions: Sequence[str],
) -> list[Case]:
    """The chosen cases, each checked to have the audio asked for before any work."""
    # A case without meta.json is of the specialty and type asked for (else the defaults).
    loaded = load_dataset(dataset, default_specialty=specialty, default_type=type)
    cases = select_cases(
        loaded, specialty=specialty, type=type, split=split, names=names, limit=limit
    )
    if not cases:
        raise BackendError(
            "no case of the dataset matches the specialty, type and split asked for",
            option="case_filter",
        )
    for case in cases:
        for condition in conditions:
            case.audio(channels=channels, condition=condition)  # fail before any work
    return cases


def make_transcribers(
    config: EngineConfig, vocabulary: Path | None, passes: Sequence[bool]
) -> tuple[dict[bool, Transcribe], float]:
    """One transcriber per specialty-pass setting, all on one model; the model load time."""
    from dataclasses import replace

    # A bad vocabulary file fails here, before the model loads, with its line numbers.
    entries = parse_vocabulary(vocabulary) if vocabulary is not None else None
    started = time.perf_counter()
    first = shared_engine(replace(config, specialty_pass=passes[0]))  # the model loads here
    load_s = time.perf_counter() - started
    out = {passes[0]: engine_transcriber(first, entries)}
    for flag in passes[1:]:
        # Same weights, same process: the baseline differs from the pass only in the stage.
        other = Engine(replace(config, specialty_pass=flag), model=first.model)
        out[flag] = engine_transcriber(other, entries)
    return out, load_s


def run_settings(
    config: EngineConfig | None,
    *,
    specialty: Specialty | None,
    type: TranscriptionType | None,
    speakers: int | None,
    channels: bool,
    vocabulary: Path | None,
    split: str | None,
    condition: str | Sequence[str],
    specialty_pass: bool | Sequence[bool] | None,
) -> dict[str, Any]:
    return {
        "specialty": specialty.value if specialty else None,
        "type": type.value if type else None,
        "split": split,
        "condition": condition if isinstance(condition, str) else list(condition),
        "speakers": speakers,
        "channels": channels,
        "vocabulary": str(vocabulary) if vocabulary else None,
        "model": (config.model if config else None) or "embedded",
        "beam_size": config.beam_size if config else None,
        # A figure means nothing without the stages that made it (None: another transcriber).
        "specialty_pass": (
            specialty_pass
            if specialty_pass is None or isinstance(specialty_pass, bool)
            else list(specialty_pass)
        ),
        "formatting": config.formatting if config else None,
        # The audio stage's front-end (medscribe.engine.frontend; 0: off; "by type": the
        # default, dictations filtered and conversations not).
        "high_pass_hz": (
            (config.high_pass_hz if config.high_pass_hz is not None else "by type")
            if config
            else None
        ),
    }


def run_eval(
    dataset: str | Path,
    *,
    specialty: Specialty | None = None,
    type: TranscriptionType | None = None,
    speakers: int | None = None,
    channels: bool = False,
    vocabulary: Path | None = None,
    config: EngineConfig | None = None,
    transcripts_dir: Path | None = None,
    on_case: Callable[[CaseResult, int, int], None] | None = None,
    transcribe: Transcribe | None = None,
    split: str | None = None,
    condition: str = "clean",
    names: Sequence[str] | None = None,
    limit: int | None = None,
) -> EvalReport:
    """Evaluate the offline engine on ``dataset`` (see the module docstring).

    ``transcribe`` replaces the engine (another backend, a saved run); the
    default is the process's engine for ``config`` (every stage on by default).
    """
    cases = load_cases(
        dataset,
        specialty=specialty,
        type=type,
        split=split,
        names=names,
        limit=limit,
        channels=channels,
        conditions=(condition,),
    )
    load_s = 0.0
    if transcribe is None:
        config = config or EngineConfig()
        transcribers, load_s = make_transcribers(config, vocabulary, (config.specialty_pass,))
        transcribe = transcribers[config.specialty_pass]
    results: list[CaseResult] = []
    for index, case in enumerate(cases, start=1):
        options = case_options(case, speakers=speakers, channels=channels)
        result, _ = run_case(case, options, transcribe, transcripts_dir, condition)
        results.append(result)
        if on_case is not None:
            on_case(result, index, len(cases))
    settings = run_settings(
        config,
        specialty=specialty,
        type=type,
        speakers=speakers,
        channels=channels,
        vocabulary=vocabulary,
        split=split,
        condition=condition,
        specialty_pass=config.specialty_pass if config else None,
    )
    return summarize(str(dataset), results, settings=settings, model_load_seconds=load_s)


def summarize(
    dataset: str,
    results: list[CaseResult],
    *,
    settings: dict[str, Any] | None = None,
    model_load_seconds: float = 0.0,
) -> EvalReport:
    overall = Summary("overall")
    by_specialty: dict[str, Summary] = {}
    by_split: dict[str, dict[str, Summary]] = {}
    for result in results:
        overall.add(result)
        by_specialty.setdefault(result.specialty, Summary(result.specialty)).add(result)
        if result.split is not None:
            group = by_split.setdefault(result.split, {})
            group.setdefault(result.specialty, Summary(result.specialty)).add(result)
            group.setdefault("overall", Summary("overall")).add(result)
    ordered = {k: by_specialty[k] for k in sorted(by_specialty)}
    splits = {
        k: {name: by_split[k][name] for name in sorted(by_split[k], key=_overall_last)}
        for k in sorted(by_split, reverse=True)  # tune, then test
    }
    return EvalReport(
        dataset, settings or {}, model_load_seconds, results, ordered, overall, splits
    )


def _overall_last(name: str) -> tuple[bool, str]:
    return (name == "overall", name)


# --------------------------------------------------------------------------- output


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _scores(obj: CaseResult | Summary) -> dict[str, Any]:
    der = obj.der
    return {
        "audio_seconds": _r(obj.audio_seconds, 2),
        "wall_seconds": _r(obj.wall_seconds, 2),
        "cpu_seconds": _r(obj.cpu_seconds, 2),
        "rtf": _r(obj.rtf),
        "wer": _r(obj.words.wer),
        "reference_words": obj.words.reference_words,
        "substitutions": obj.words.substitutions,
        "deletions": obj.words.deletions,
        "insertions": obj.words.insertions,
        "term_recall": _r(obj.terms.recall),
        "terms_reference": obj.terms.reference,
        "terms_found": obj.terms.found,
        "der": _r(der.der) if der else None,
        "der_components": (
            {
                "total": _r(der.total, 3),
                "missed": _r(der.missed, 3),
                "false_alarm": _r(der.false_alarm, 3),
                "confusion": _r(der.confusion, 3),
            }
            if der
            else None
        ),
    }


def report_to_json(report: EvalReport) -> dict[str, Any]:
    """The report as plain JSON data (numbers only, no transcript text)."""
    cases = []
    for c in report.cases:
        entry = {
            "case": c.name,
            "specialty": c.specialty,
            "type": c.type,
            "split": c.split,
            "condition": c.condition,
            **_scores(c),
        }
        entry["speakers_found"] = c.speakers_found
        entry["error"] = c.error
        cases.append(entry)

    def summary(s: Summary) -> dict[str, Any]:
        return {"cases": s.cases, "failed": s.failed, **_scores(s)}

    return {
        "dataset": report.dataset,
        "settings": report.settings,
        "model_load_seconds": _r(report.model_load_seconds, 2),
        "cases": cases,
        "by_specialty": {k: summary(v) for k, v in report.by_specialty.items()},
        "by_split": {
            split: {k: summary(v) for k, v in group.items()}
            for split, group in report.by_split.items()
        },
        "overall": summary(report.overall),
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def render_report(report: EvalReport, console: Any) -> None:
    """Two Rich tables: the cases, then per specialty and overall."""
    from rich.table import Table

    stages = ", ".join(
        f"{name.replace('_', ' ')} {'on' if report.settings[name] else 'off'}"
        for name in ("specialty_pass", "formatting")
        if report.settings.get(name) is not None
    )
    title = f"Evaluation of {report.dataset}" + (f" ({stages})" if stages else "")
    cases = Table(title=title, title_justify="left")
    for name in ("case", "specialty", "type", "audio s", "wall s", "RTF", "WER", "terms", "DER"):
        left = name in ("case", "specialty", "type")
        cases.add_column(name, justify="left" if left else "right", overflow="fold")
    for c in report.cases:
        if c.error is not None:
            cases.add_row(c.name, c.specialty, c.type.lower(), "", "", "", f"[red]{c.error}[/]")
            continue
        cases.add_row(
            c.name,
            c.specialty,
            c.type.lower(),
            _num(c.audio_seconds, "{:.1f}"),
            _num(c.wall_seconds, "{:.1f}"),
            _num(c.rtf, "{:.3f}"),
            _pct(c.words.wer),
            f"{_pct(c.terms.recall)} ({c.terms.found}/{c.terms.reference})",
            _pct(c.der.der if c.der else None),
        )
    console.print(cases)
    summary = Table(title="Per specialty", title_justify="left")
    for name in ("specialty", "cases", "audio min", "RTF", "WER", "term recall", "DER"):
        summary.add_column(
            name, justify="left" if name == "specialty" else "right", overflow="fold"
        )
    rows = [*report.by_specialty.values(), report.overall]
    for s in rows:
        summary.add_row(
            s.label,
            str(s.cases) + (f" ({s.failed} failed)" if s.failed else ""),
            _num(s.audio_seconds / 60, "{:.1f}"),
            _num(s.rtf, "{:.3f}"),
            _pct(s.words.wer),
            f"{_pct(s.terms.recall)} ({s.terms.found}/{s.terms.reference})",
            _pct(s.der.der if s.der else None),
            style="bold" if s is report.overall else None,
        )
    console.print(summary)
    if report.by_split:
        console.print(_split_table(report))
    console.print(f"model load {report.model_load_seconds:.1f} s (not in the wall times)")


def _split_table(report: EvalReport) -> Any:
    """Per split (tune, test) and specialty: WER and rare-term recall."""
    from rich.table import Table

    table = Table(title="Per split and specialty", title_justify="left")
    for name in ("split", "specialty", "cases", "audio min", "WER", "term recall"):
        table.add_column(name, justify="left" if name in ("split", "specialty") else "right")
    for split, group in report.by_split.items():
        for name, s in group.items():
            table.add_row(
                split,
                name,
                str(s.cases) + (f" ({s.failed} failed)" if s.failed else ""),
                _num(s.audio_seconds / 60, "{:.1f}"),
                _pct(s.words.wer),
                f"{_pct(s.terms.recall)} ({s.terms.found}/{s.terms.reference})",
                style="bold" if name == "overall" else None,
            )
    return table

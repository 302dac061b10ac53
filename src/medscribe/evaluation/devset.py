"""The development set: committed scripts, synthesised into the evaluation dataset format.

The scripts live in ``medscribe/data/devset/`` (one ``.txt`` per case): a few
``# key: value`` header lines (``specialty``, ``type``, ``title``) and then one
turn per line, ``C: ...`` for the clinician and ``P: ...`` for the patient. The
texts are written as people speak (numbers in words, "blood pressure", lay
speech, the odd "um"), because they are what the voices read; the normaliser
makes written hypotheses ("BP 142/88") comparable with them.

Synthesis reuses the project's ``scripts/synth.py`` (``synthesize(text, voice)``:
Piper's ``joe`` voice, Festival's ``cmu_us_slt_arctic_hts`` as ``slt``; both
deterministic) rather than a second copy of it: the clinician speaks with
``joe``, the patient with ``slt``. It needs a checkout of the repository
(``scripts/`` is not installed with the package) and the dev extra (piper).

Each case folder gets ``mono.wav`` (the mix, 16 kHz), ``stereo.wav`` (channel 0
the clinician, channel 1 the patient), ``ref.txt``, ``ref.rttm``, ``ref.json``
and ``meta.json``. Turns follow each other with a fixed pause; a turn's times
are where its speech begins and ends. A case is skipped when its
``.source-sha256`` stamp matches the script and :data:`SYNTH_VERSION`, so a rerun
only synthesises what changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import wave
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np

from medscribe.errors import ConfigError, ValidationError
from medscribe.evaluation.dataset import (
    SpeakerTurn,
    write_meta,
    write_rttm,
    write_turns_json,
)
from medscribe.request import Specialty, TranscriptionType

SAMPLE_RATE = 16_000
#: Bump when the synthesis changes, so that cached cases are made again.
SYNTH_VERSION = "1"
#: Role letter -> (speaker label in the references, voice of scripts/synth.py, channel).
ROLES = {"C": ("clinician", "joe", 0), "P": ("patient", "slt", 1)}
LEAD_S = 0.5
PAUSE_S = 0.6
STAMP = ".source-sha256"

_LINE = re.compile(r"^([CP]):\s*(\S.*)$")
_HEADER = re.compile(r"^#\s*(\w+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Script:
    """One case's script: who says what, in order."""

    name: str
    specialty: Specialty
    type: TranscriptionType
    title: str
    lines: list[tuple[str, str]]
    source: str

    @property
    def reference(self) -> str:
        return "\n".join(text for _, text in self.lines) + "\n"


def scripts_dir() -> Path:
    return Path(str(resources.files("medscribe") / "data" / "devset"))


def parse_script(name: str, text: str) -> Script:
    """Parse a script file's text; raises :class:`ValidationError` naming the bad line."""
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
        title=meta.get("title", name),
        lines=lines,
        source=text,
    )


def load_scripts(folder: Path | None = None) -> list[Script]:
    """Every committed script, sorted by name."""
    folder = folder or scripts_dir()
    paths = sorted(folder.glob("*.txt"))
    return [parse_script(p.stem, p.read_text(encoding="utf-8")) for p in paths]


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
        clip = _trim(np.asarray(synthesize(text, voice), dtype=np.float32))
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
    tmp.replace(path)


def _stamp(script: Script) -> str:
    return hashlib.sha256(f"{SYNTH_VERSION}\n{script.source}".encode()).hexdigest()


def write_case(out: Path, script: Script, synthesize: Callable[[str, str], np.ndarray]) -> float:
    """Synthesise one case into ``out/NAME``; returns its duration in seconds."""
    folder = out / script.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STAMP).unlink(missing_ok=True)
    stereo, turns = render_script(script, synthesize)
    write_wav(folder / "stereo.wav", stereo)
    write_wav(folder / "mono.wav", np.clip(stereo.sum(axis=0), -1.0, 1.0))
    (folder / "ref.txt").write_text(script.reference, encoding="utf-8")
    write_rttm(folder / "ref.rttm", script.name, turns)
    write_turns_json(folder / "ref.json", turns)
    write_meta(folder / "meta.json", script.specialty, script.type)
    (folder / STAMP).write_text(_stamp(script) + "\n", encoding="utf-8")  # written last
    return float(stereo.shape[1]) / SAMPLE_RATE


def _cached_duration(folder: Path, script: Script) -> float | None:
    stamp = folder / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != _stamp(script):
        return None
    try:
        with wave.open(str(folder / "mono.wav"), "rb") as fh:
            return fh.getnframes() / fh.getframerate()
    except (OSError, wave.Error, EOFError):
        return None


def make_devset(
    out: str | Path,
    *,
    cases: list[str] | None = None,
    force: bool = False,
    on_case: Callable[[str, float, bool], None] | None = None,
    synthesize: Callable[[str, str], np.ndarray] | None = None,
) -> float:
    """Write the development set into ``out``; returns the total audio duration in seconds."""
    out = Path(out)
    scripts = load_scripts()
    if cases:
        unknown = sorted(set(cases) - {s.name for s in scripts})
        if unknown:
            raise ValidationError(f"no devset case named {', '.join(unknown)}")
        scripts = [s for s in scripts if s.name in cases]
    total = 0.0
    for script in scripts:
        cached = None if force else _cached_duration(out / script.name, script)
        if cached is None:
            if synthesize is None:
                synthesize = _synth_module().synthesize
            seconds = write_case(out, script, synthesize)
        else:
            seconds = cached
        total += seconds
        if on_case is not None:
            on_case(script.name, seconds, cached is not None)
    return total

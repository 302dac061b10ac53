"""``medscribe transcribe`` with the real offline engine on real read speech.

Two short LibriVox utterances from Debian's pocketsphinx-testdata go through the
whole flow: local jobs, the real model, files written, the manifest, and a rerun
that skips them. The engine's own accuracy is tested elsewhere; here a loose WER
bound (and being closer to its own reference than to the other's) shows that each
file got its own transcript.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from medscribe.batch import MANIFEST_NAME
from medscribe.transcript import codec

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
UTTERANCES = (
    "sense_and_sensibility_01_austen_64kb-0880",
    "sense_and_sensibility_01_austen_64kb-0930",
)

pytestmark = pytest.mark.model


def references() -> dict[str, str]:
    refs = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        match = re.match(r"<s>(.*)</s>\s*\((\S+)\)", line)
        if match:
            refs[match.group(2)] = match.group(1).strip()
    return refs


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    def norm(text: str) -> str:
        return re.sub(r"[^a-z' ]+", " ", text.lower()).strip()

    return jiwer.wer(norm(reference), norm(hypothesis))


@pytest.fixture
def speech(tmp_path: Path) -> list[Path]:
    if not LIBRIVOX.is_dir():
        pytest.skip("Debian's pocketsphinx-testdata is not installed")
    folder = tmp_path / "speech"
    folder.mkdir()
    for name in UTTERANCES:
        (folder / f"{name}.wav").write_bytes((LIBRIVOX / f"{name}.wav").read_bytes())
    return sorted(folder.iterdir())


def test_local_backend_batch_and_rerun(cli, speech, tmp_path):
    out = tmp_path / "out"
    args = ("transcribe", str(speech[0].parent), "--backend", "local", "--output-dir", str(out))
    result = cli(*args, "--format", "json,srt", "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["succeeded"] == 2 and summary["failed"] == 0
    refs = references()
    for audio in speech:
        transcript = codec.load(out / f"{audio.stem}.json")
        own = wer(refs[audio.stem], transcript.text)
        other = wer(refs[next(u for u in UTTERANCES if u != audio.stem)], transcript.text)
        assert own <= 0.4 and own < other
        words = transcript.words
        assert words and all(w.start < w.end for w in words)
        assert (out / f"{audio.stem}.srt").read_text().startswith("1\n")
    manifest = json.loads((out / MANIFEST_NAME).read_text())["files"]
    assert {e["status"] for e in manifest.values()} == {"COMPLETED"}
    assert {e["backend"] for e in manifest.values()} == {"local"}

    listed = cli("jobs", "list", "--json")
    names = {j["MedicalTranscriptionJobName"] for j in json.loads(listed.out)}
    assert names == {f["job_name"] for f in summary["files"]}

    again = cli(*args, "--format", "json,srt")
    assert again.code == 0 and again.err.count("already done") == 2
    assert len(json.loads(cli("jobs", "list", "--json").out)) == 2

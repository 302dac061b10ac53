"""medscribe.redact: tags over exactly the entities' words, in every format; PHI audio silenced."""

from __future__ import annotations

import copy
import re
import stat
import wave
from pathlib import Path

import numpy as np
import pytest

# pytest puts this folder on sys.path (no __init__.py here): the reference loader.
from test_entities_json import PHI_BATCH, reference_example

from medscribe.errors import MediaError, ValidationError
from medscribe.redact import phi_spans, redact, redact_audio, redact_with_mapping, tag_for
from medscribe.redact.audio import TONE_HZ, TONE_LEVEL
from medscribe.render import FILE_FORMATS, render_string
from medscribe.transcript import Entity, Item, Transcript, codec

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts" / "phi-conversation.json"
RATE = 16_000


def fixture() -> Transcript:
    return codec.load(FIXTURE)


def phi_words(transcript: Transcript) -> set[str]:
    """Every word of every entity's content, as it would show in a file."""
    return {
        w.casefold() for e in transcript.entities or [] for w in re.findall(r"[\w-]+", e.content)
    }


def with_tags(text: str, entities: list[Entity], tags: list[str]) -> str:
    """``text`` with each entity's content replaced, in order, by its tag."""
    out, position = "", 0
    for entity, tag in zip(entities, tags, strict=True):
        found = text.index(entity.content, position)
        out += text[position:found] + tag
        position = found + len(entity.content)
    return out + text[position:]


def test_tags_replace_exactly_the_entity_spans_in_every_format() -> None:
    original = fixture()
    entities = original.entities or []
    redacted = redact(original)
    tags = [tag_for(e.category) for e in entities]
    assert tags[:2] == ["[PHI:PERSONAL]", "[PHI:GEOGRAPHIC]"]
    for fmt in ("text", "vtt", "srt"):
        expected = with_tags(render_string(original, fmt), entities, tags)
        assert render_string(redacted, fmt) == expected, fmt
    assert redacted.text == with_tags(original.text, entities, tags)
    # Items: each entity's run is one item with the run's times and speaker.
    tag_items = [i for i in redacted.items if i.content.startswith("[PHI:")]
    assert [(i.start, i.end, i.speaker) for i in tag_items] == [
        (3.05, 3.9989, "spk_1"),
        (4.7, 6.6, "spk_1"),
        (7.35, 7.8, "spk_0"),
        (9.4, 10.6, "spk_1"),
        (11.0, 11.8, "spk_1"),
    ]
    assert [e.content for e in redacted.entities or []] == tags
    assert [(e.start, e.end, e.category) for e in redacted.entities or []] == [
        (e.start, e.end, e.category) for e in entities
    ]


def test_nothing_of_the_phi_remains_in_any_written_format(tmp_path: Path) -> None:
    original = fixture()
    redacted = redact(original)
    for fmt in FILE_FORMATS:
        path = tmp_path / f"out.{fmt}"
        path.write_text(render_string(redacted, fmt), encoding="utf-8")
        written = path.read_text(encoding="utf-8").casefold()
        left = {w for w in phi_words(original) if re.search(rf"\b{re.escape(w)}\b", written)}
        # The n-best hypothesis spelled the phone number and date differently: gone too.
        assert left == set() and "555-0128" not in written and "3rd" not in written, fmt


def test_the_input_is_not_changed_and_the_copy_round_trips() -> None:
    original = fixture()
    before = copy.deepcopy(original)
    redacted = redact(original)
    assert original == before
    assert codec.dumps(codec.loads(codec.dumps(redacted))) == codec.dumps(redacted)


def test_mapping_numbers_tags_per_category_and_distinct_content() -> None:
    result = redact_with_mapping(fixture())
    assert result.mapping == {
        "[PHI:PERSONAL-1]": "Maria Lopez",
        "[PHI:GEOGRAPHIC-1]": "12 Elm Street, Springfield",
        "[PHI:PERSONAL-2]": "Maria",
        "[PHI:PERSONAL-3]": "555-0123",
        "[PHI:PERSONAL-4]": "March third",
    }
    assert "[PHI:PERSONAL-3]" in result.transcript.text
    assert redact(fixture()).text.count("[PHI:PERSONAL]") == 4


def test_a_transcript_without_entities_is_one_clear_error() -> None:
    plain = Transcript(items=[Item("Bertrand", start=0.9, end=1.2)])
    with pytest.raises(ValidationError, match="no PHI entities"):
        redact(plain)
    unchanged = redact(Transcript(items=plain.items, entities=[]))
    assert unchanged.text == "Bertrand" and unchanged.entities == []


def test_times_that_match_no_word_fall_back_to_content_else_refuse() -> None:
    words = [Item("call", start=0.0, end=0.3), Item("Bertrand", start=0.3, end=0.8)]
    shifted = Transcript(items=words, entities=[Entity("Bertrand", "PHI-Personal", 5.0, 5.5)])
    assert redact(shifted).text == "call [PHI:PERSONAL]"
    missing = Transcript(items=words, entities=[Entity("Alice", "PHI-Personal", 5.0, 5.5)])
    with pytest.raises(ValidationError) as caught:
        redact(missing)
    assert "Alice" not in str(caught.value) and "matches no word" in str(caught.value)


@pytest.mark.skipif(not PHI_BATCH.exists(), reason="needs ../shared/reference")
def test_the_services_own_phi_example_is_redacted() -> None:
    service = codec.loads(reference_example())
    redacted = redact(service)
    assert redacted.text == "The patient's name is [PHI:PERSONAL]."
    assert "Bertrand" not in codec.dumps(redacted)


# --------------------------------------------------------------------------- audio


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as source:
        assert (source.getframerate(), source.getsampwidth()) == (RATE, 2)
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
        return data.reshape(-1, source.getnchannels())


def noise(seconds: float, channels: int = 1) -> np.ndarray:
    """Audio with no zero sample, so silence shows."""
    rng = np.random.default_rng(15)
    values = rng.integers(1000, 20000, size=(int(seconds * RATE), channels))
    return (values * rng.choice([-1, 1], size=values.shape)).astype(np.int16)


def inside(spans: list[tuple[int, int]], length: int) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    for first, last in spans:
        mask[first:last] = True
    return mask


@pytest.mark.parametrize("channels", [1, 2])
def test_audio_inside_phi_spans_is_silent_and_outside_unchanged(
    tmp_path: Path, channels: int
) -> None:
    source = write_wav(tmp_path / "visit.wav", noise(12.5, channels))
    spans = phi_spans(fixture())
    out = redact_audio(source, tmp_path / "redacted.wav", spans)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    before, after = read_wav(source), read_wav(out)
    assert after.shape == before.shape
    mask = inside([(round(s.start * RATE), round(s.end * RATE)) for s in spans], len(before))
    assert (after[mask] == 0).all()
    assert (after[~mask] == before[~mask]).all()
    # Every entity's own times and its words' times are covered.
    for entity in fixture().entities or []:
        assert mask[round(entity.start * RATE) : round(entity.end * RATE)].all()


def test_the_tone_replaces_the_phi_spans(tmp_path: Path) -> None:
    source = write_wav(tmp_path / "visit.wav", noise(12.5))
    spans = phi_spans(fixture())
    after = read_wav(redact_audio(source, tmp_path / "toned.wav", spans, tone=True))[:, 0]
    before = read_wav(source)[:, 0]
    frames = [(round(s.start * RATE), round(s.end * RATE)) for s in spans]
    mask = inside(frames, len(before))
    n = np.arange(len(before))
    tone = np.round(TONE_LEVEL * 32767 * np.sin(2 * np.pi * TONE_HZ * n / RATE)).astype(np.int16)
    assert (after[mask] == tone[mask]).all()
    assert (after[~mask] == before[~mask]).all()


def test_audio_errors_are_one_line(tmp_path: Path) -> None:
    spans = phi_spans(fixture())
    with pytest.raises(MediaError, match="no such file"):
        redact_audio(tmp_path / "missing.wav", tmp_path / "out.wav", spans)
    short = write_wav(tmp_path / "short.wav", noise(2.0))
    with pytest.raises(MediaError, match="is it the transcript's recording"):
        redact_audio(short, tmp_path / "out.wav", spans)
    with pytest.raises(ValidationError, match=r"name it \.wav"):
        redact_audio(short, tmp_path / "out.mp3", spans)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.wav"]


def test_channel_labels_carry_the_tag() -> None:
    items = [
        Item("Hello", start=0.0, end=0.4, channel="ch_0"),
        Item("Bertrand", start=0.5, end=0.9, channel="ch_1"),
        Item("Smith", start=0.9, end=1.3, channel="ch_1"),
        Item(".", type="punctuation", channel="ch_1"),
    ]
    entity = Entity("Bertrand Smith", "PHI-Personal", 0.5, 1.3, 0.99)
    doc = codec.to_json(redact(Transcript(items=items, channels=2, entities=[entity])))
    channels = doc["results"]["channel_labels"]["channels"]
    contents = [[i["alternatives"][0]["content"] for i in c["items"]] for c in channels]
    assert contents == [["Hello"], ["[PHI:PERSONAL]", "."]]
    assert "Bertrand" not in str(doc) and "Smith" not in str(doc)

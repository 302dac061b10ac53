"""The error tree: exit codes, the subject each error carries, the CLI's wording of options."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from medscribe import errors
from medscribe.cli import cli_message
from medscribe.config import load_settings
from medscribe.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ConfigError,
    DatasetError,
    MedscribeError,
    Missing,
    NotReadyError,
    TranscriptFormatError,
    VocabularyFormatError,
    WriteError,
)
from medscribe.evaluation.dataset import load_dataset
from medscribe.files import prepare_output_dir, write_private
from medscribe.transcript import codec
from medscribe.vocabulary import parse_vocabulary

CLASSES = {
    name: obj
    for name, obj in vars(errors).items()
    if inspect.isclass(obj) and issubclass(obj, MedscribeError)
}


def _drawn_tree() -> dict[str, tuple[int, str | None]]:
    """The tree in the module docstring: class name -> (depth, parent name)."""
    tree: dict[str, tuple[int, str | None]] = {}
    stack: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^    ([│ ]*)(?:[├└]── )?(\w+Error|Interrupted)\b", line)
        if match is None:
            continue
        depth = len(match[1]) // 4 + (1 if "──" in line else 0)
        del stack[depth:]
        tree[match[2]] = (depth, stack[-1] if stack else None)
        stack.append(match[2])
    return tree


def test_the_docstring_draws_every_error_under_its_real_parent() -> None:
    tree = _drawn_tree()
    assert set(tree) == set(CLASSES)
    for name, (_, parent) in tree.items():
        bases = [b.__name__ for b in CLASSES[name].__bases__]
        assert bases == [parent or "Exception"], name


def test_every_error_is_exported() -> None:
    assert set(CLASSES) <= set(errors.__all__)
    assert errors.__all__ == sorted(errors.__all__, key=lambda n: (not n.isupper(), n))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("MedscribeError", EXIT_FAILED),
        ("ValidationError", EXIT_USAGE),
        ("MediaError", EXIT_USAGE),
        ("WriteError", EXIT_USAGE),
        ("DatasetError", EXIT_USAGE),
        ("TranscriptFormatError", EXIT_USAGE),
        ("ConfigError", EXIT_USAGE),
        ("NotReadyError", EXIT_USAGE),
        ("BackendError", EXIT_FAILED),
        ("JobFailedError", EXIT_FAILED),
        ("StreamError", EXIT_FAILED),
        ("Interrupted", EXIT_INTERRUPTED),
    ],
)
def test_exit_codes(name: str, code: int) -> None:
    assert CLASSES[name].exit_code == code


def test_old_import_paths_name_the_same_classes() -> None:
    from medscribe import config, files
    from medscribe.evaluation import dataset

    assert files.WriteError is WriteError
    assert dataset.DatasetError is DatasetError
    assert config.NotReadyError is NotReadyError
    assert config.Missing is Missing


def test_a_config_file_error_carries_its_path_and_a_bad_value_its_setting(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[default\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path=bad, environ={})
    assert info.value.path == bad
    with pytest.raises(ConfigError) as info:
        load_settings(path=tmp_path / "absent.toml", environ={"MEDSCRIBE_CONCURRENCY": "0"})
    assert (info.value.setting, info.value.option) == ("concurrency", "concurrency")
    assert str(info.value).startswith("MEDSCRIBE_CONCURRENCY=0: ")


def test_file_errors_carry_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(TranscriptFormatError) as transcript:
        codec.load(missing / "visit.json")
    with pytest.raises(WriteError) as write:
        write_private(missing / "visit.json", "{}")
    with pytest.raises(WriteError) as folder:
        prepare_output_dir(missing / "out")
    with pytest.raises(DatasetError) as dataset:
        load_dataset(missing)
    assert transcript.value.path == missing / "visit.json"
    assert write.value.path == missing
    assert folder.value.path == missing
    assert dataset.value.path == missing


def test_a_vocabulary_error_carries_its_file_and_every_problem(tmp_path: Path) -> None:
    table = tmp_path / "terms.txt"
    table.write_text("Phrase\tIPA\tSoundsLike\tDisplayAs\nbad phrase\t\t\t\n", encoding="utf-8")
    with pytest.raises(VocabularyFormatError) as info:
        parse_vocabulary(table)
    assert info.value.path == table
    assert [line for line, _ in info.value.problems] == [2]


def test_not_ready_is_worded_with_the_flags_by_the_cli_only() -> None:
    error = NotReadyError("aws backend", [Missing("bucket", "no S3 bucket is set", "set X")])
    assert error.setting == "bucket"
    assert str(error) == "aws backend not ready: no S3 bucket is set (set X)"
    assert cli_message(error) == (
        "aws backend not ready: no S3 bucket is set (pass --bucket or set X)"
    )


def test_the_cli_names_the_flag_of_an_option_the_library_words_plainly() -> None:
    error = DatasetError("case c1: channel identification needs stereo.wav", option="channels")
    assert "--" not in str(error)
    assert cli_message(error) == "case c1: --channels needs stereo.wav"
    model = ConfigError("model /m: no such model directory", setting="model")
    assert cli_message(model) == "--model /m: no such model directory"
    plain = ConfigError("model /m: no such model directory")
    assert cli_message(plain) == str(plain)


def test_media_errors_carry_the_file_they_concern(tmp_path):
    from pathlib import Path

    from medscribe.errors import MediaError
    from medscribe.media import probe

    for path in (tmp_path / "absent.wav", tmp_path):
        with pytest.raises(MediaError) as caught:
            probe(path)
        assert Path(caught.value.path) == path
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(MediaError) as caught:
        probe(empty)
    assert Path(caught.value.path) == empty

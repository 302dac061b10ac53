"""Evaluation of the offline engine: dataset format, normalisation, metrics, harness, devset.

* :mod:`~medscribe.evaluation.dataset`: the one-folder-per-case format (read and write).
* :mod:`~medscribe.evaluation.normalize`: text normalisation before scoring.
* :mod:`~medscribe.evaluation.terms`: rare medical words and term recall.
* :mod:`~medscribe.evaluation.metrics`: WER (jiwer), DER (pyannote.metrics), correction counts.
* :mod:`~medscribe.evaluation.harness`: run the pipeline on a dataset and report.
* :mod:`~medscribe.evaluation.comparison`: the specialty pass against the bare engine, with
  the correction precision, in the clean and room conditions.
* :mod:`~medscribe.evaluation.corpus`: the real corpora (ACI-Bench, PriMock57), their
  tune/test split and the specialty tag.
* :mod:`~medscribe.evaluation.devset`: build the development set from the corpora.
* :mod:`~medscribe.evaluation.verbalize`: written clinical text in spoken form (TTS input).
* :mod:`~medscribe.evaluation.room`: the room condition (sox reverberation and noise).
* :mod:`~medscribe.evaluation.synth_visits`: two-party visits in close voices (two men, two
  women) for the speaker evaluation.
* :mod:`~medscribe.evaluation.speakers`: the speaker evaluation: DER of the speaker stage on
  the real recordings and the close-voice visits beside a naive baseline, speaker count, CPU.

Submodules are imported on use so that ``medscribe eval --help`` stays fast.
"""

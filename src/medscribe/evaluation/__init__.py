"""Evaluation of the offline engine: dataset format, normalisation, metrics, harness, devset.

* :mod:`~medscribe.evaluation.dataset`: the one-folder-per-case format (read and write).
* :mod:`~medscribe.evaluation.normalize`: text normalisation before scoring.
* :mod:`~medscribe.evaluation.terms`: rare medical words and term recall.
* :mod:`~medscribe.evaluation.metrics`: WER (jiwer) and DER (pyannote.metrics).
* :mod:`~medscribe.evaluation.harness`: run the pipeline on a dataset and report.
* :mod:`~medscribe.evaluation.devset`: synthesise the development set from its scripts.

Submodules are imported on use so that ``medscribe eval --help`` stays fast.
"""

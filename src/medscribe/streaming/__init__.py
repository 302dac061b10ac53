"""What real-time streaming (``medscribe stream``) shares across both backends.

The streams themselves belong to the backends (``Backend.stream``):
:mod:`medscribe.backends.aws.streaming` (the service's WebSocket) and
:mod:`medscribe.backends.local.streaming` (incremental decoding with the offline
engine). What both produce and consume lives here:

* :mod:`.events`: the TranscriptEvent shape (results, partial or final).
* :mod:`.source`: audio sources (a file at real-time pace or not, a microphone).
* :mod:`.session`: the finals collected into the transcript model, and saved.

The live view of a stream is the CLI's (:mod:`medscribe.cli.live_view`).
"""

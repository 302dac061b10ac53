"""Real-time streaming transcription (``medscribe stream``) on both backends.

* :mod:`.events`: the TranscriptEvent shape (results, partial or final).
* :mod:`.eventstream`: AWS event-stream framing (audio out, results in).
* :mod:`.aws`: the presigned WebSocket client of Transcribe Medical streaming.
* :mod:`.local`: incremental decoding with the offline engine (local agreement + VAD).
* :mod:`.source`: audio sources (file at real-time pace or not, microphone).
* :mod:`.session`: finals collected into the transcript model and saved.
* :mod:`.display`: the Rich live view.
"""

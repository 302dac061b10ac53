"""The embedded offline engine: audio -> recognition -> post-processing, no network.

* :mod:`medscribe.engine.audio`: decode any common file to 16 kHz float32, in bounded blocks.
* :mod:`medscribe.engine.recognition`: faster-whisper with the embedded weights -> word items.
* :mod:`medscribe.engine.pipeline`: the steps in order, for one file -> a Transcript.
* Post-processing modules (formatting, speakers, channels) are called by the pipeline.

Nothing is imported here so that ``import medscribe.engine`` stays cheap; import the
submodules you need.
"""

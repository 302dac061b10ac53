"""The local backend: the offline engine behind the Backend protocol, jobs kept on disk.

* :mod:`~medscribe.backends.local.backend`: :class:`LocalBackend`, the contract's methods.
* :mod:`~medscribe.backends.local.rules`: what the engine accepts (checked before a job).
* :mod:`~medscribe.backends.local.streaming`: streams through the engine's stream decoder.
* :mod:`~medscribe.backends.local.store`: the job and vocabulary store (atomic writes, locks).
* :mod:`~medscribe.backends.local.runner`: who runs a job (a thread here, or a detached worker).
* :mod:`~medscribe.backends.local.worker`: ``python -m medscribe.backends.local.worker``.
* :mod:`~medscribe.backends.local.doctor`: the checks of ``medscribe doctor --backend local``.
"""

from medscribe.backends.local.backend import LocalBackend

__all__ = ["LocalBackend"]

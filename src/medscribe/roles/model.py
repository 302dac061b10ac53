"""The role model at run time: committed weights, one dot product, numpy only.

The weights are package data (``medscribe/data/roles/model.json``), fit offline by
``scripts/build_roles.py`` on *tune* visits only (the file says how, on what, and
with which cross-validated figures). A logistic regression without intercept
over :func:`medscribe.roles.features.pair_features`: for two speakers A and B,

    P(A is the clinician) = 1 / (1 + exp(-sum_i w_i * x_i / s_i))

with ``x = features(A) - features(B)`` and ``s`` the builder's feature scales.
Swapping A and B negates ``x``, so P(B is the clinician) = 1 - P(A is). Nothing
here imports scikit-learn: the builder uses it, the run time needs only the file.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

from medscribe.errors import ConfigError
from medscribe.roles.features import FEATURE_NAMES, SpeakerText, pair_features

__all__ = ["MODEL_FORMAT", "RoleModel", "load_model", "model_path"]

#: The layout of model.json this code reads; the builder writes the same number.
MODEL_FORMAT = 1


@dataclass(frozen=True, slots=True)
class RoleModel:
    """Weights and decision rule of the role model (see the module docstring)."""

    weights: tuple[float, ...]
    scales: tuple[float, ...]
    #: Keep spk_N below this confidence (the probability of the likelier mapping).
    threshold: float
    #: Keep spk_N when either speaker said fewer words than this: rates of a handful
    #: of words say nothing.
    min_words: int
    #: Which medical word list the medical rate counts ("rare_medical_words").
    medical_words: str = "rare_medical_words"

    def probability(self, first: SpeakerText, second: SpeakerText) -> float:
        """P(``first`` is the clinician), ``second`` being the other party."""
        x = pair_features(first, second, _medical(self.medical_words))
        z = sum(w * v / s for w, v, s in zip(self.weights, x, self.scales, strict=True))
        return _sigmoid(z)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@functools.cache
def _medical(name: str) -> frozenset[str]:
    from medscribe.engine import wordlists

    if name != "rare_medical_words":
        raise ConfigError(f"role model: unknown medical word list {name!r}")
    return wordlists.rare_medical_words()


def model_path() -> Any:
    """Where the committed model lives (a resources Traversable)."""
    return resources.files("medscribe") / "data" / "roles" / "model.json"


@functools.cache
def load_model() -> RoleModel:
    """The committed model; a file of another format or feature set is a ConfigError."""
    try:
        data = json.loads(model_path().read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"role model: cannot read model.json ({type(exc).__name__})") from None
    return from_record(data)


def from_record(data: dict[str, Any]) -> RoleModel:
    """A model from the builder's record (the JSON object of model.json)."""
    if data.get("format") != MODEL_FORMAT:
        raise ConfigError(f"role model: format {data.get('format')!r}, expected {MODEL_FORMAT}")
    if tuple(data.get("features", ())) != FEATURE_NAMES:
        raise ConfigError("role model: its features are not this version's; rebuild it")
    return RoleModel(
        weights=tuple(float(w) for w in data["weights"]),
        scales=tuple(float(s) for s in data["scales"]),
        threshold=float(data["threshold"]),
        min_words=int(data["min_words"]),
        medical_words=str(data.get("medical_words", "rare_medical_words")),
    )

"""Saving and loading suggester models with skops, never pickle.

A model file is a skops archive (``skops.io``): scikit-learn objects are rebuilt from
their parts, and only the types listed in TRUSTED may appear in it, so loading executes
nothing it was not meant to. Every blob is also signed with HMAC-SHA256 under a key kept in
the project: coder refuses a model it did not write (or one that was altered) before it
even reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from typing import Any

import numpy as np

from coder.errors import CoderError
from coder.i18n import _
from coder.suggest.question_model import QuestionModel

FORMAT = "coder-model/2"
# Everything a trained model is made of; anything else in a file refuses it.
TRUSTED = [
    "coder.suggest.calibration.Scores",
    "coder.suggest.model.CharTfidf",
    "coder.suggest.model.LemmaTfidf",
    "coder.suggest.model.Scores",  # where models saved before calibration.py name it
    "coder.suggest.model.TextClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "builtins.slice",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
]
_DROP = ("held_out_", "held_out_probabilities_")  # training-time figures, not needed to suggest


class ForeignModelError(CoderError):
    """A model blob that this project did not write, or that was changed since."""


def sign(blob: bytes, key: bytes) -> str:
    return hmac.new(key, blob, hashlib.sha256).hexdigest()


def dumps(model: QuestionModel) -> bytes:
    import skops.io as sio

    header = {
        "format": FORMAT,
        "question_id": model.question_id,
        "mode": model.mode,
        "codes": model.codes,
        "language": model.language,
        "pipeline": model.pipeline,
        "code_counts": model.code_counts,
        "descriptions": model.descriptions,
        "n_train": model.n_train,
        "params": _jsonable(model.params),
        "feature_set": model.feature_set,
    }
    classifier = model.classifier
    kept = {}
    if classifier is not None:
        state = classifier.__dict__
        kept = {name: state.pop(name) for name in _DROP if name in state}
    try:
        return sio.dumps(
            compression=zipfile.ZIP_DEFLATED,
            compresslevel=1,  # pimpo's model: 17.4 MB in 0.7 s; level 6: 15.7 MB in 1.6 s
            obj={
                "header": json.dumps(header),
                "classifier": classifier,
                "description_vectors": model.description_vectors,
            },
        )
    finally:
        if classifier is not None:
            classifier.__dict__.update(kept)


def loads(blob: bytes, *, key: bytes, mac: str) -> QuestionModel:
    """Rebuild a model, refusing any blob whose signature does not match this project's key,
    and any whose contents are not the types a model is made of."""
    import skops.io as sio

    if not hmac.compare_digest(sign(blob, key), mac or ""):
        raise ForeignModelError(
            _(
                "refusing a model this project did not write (its signature does not match); "
                "train a new one with `coder train`"
            )
        )
    try:
        untrusted = [t for t in sio.get_untrusted_types(data=blob) if t not in TRUSTED]
        if untrusted:
            raise ForeignModelError(
                _(
                    "refusing a model with unexpected contents ({what}); "
                    "train a new one with `coder train`"
                ).format(what=untrusted[0])
            )
        data = sio.loads(blob, trusted=TRUSTED)
        header = json.loads(data["header"])
    except ForeignModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged archive raises
        raise ForeignModelError(
            _("unreadable model ({reason}); train a new one with `coder train`").format(
                reason=f"{type(exc).__name__}: {exc}"
            )
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise ForeignModelError(
            _(
                "a model in an older or unknown format ({format}); train a new one with "
                "`coder train`"
            ).format(format=repr(found))
        )
    try:
        vectors = data.get("description_vectors")
        return QuestionModel(
            question_id=str(header["question_id"]),
            mode=str(header["mode"]),
            codes=[str(c) for c in header["codes"]],
            language=str(header["language"]),
            pipeline=header["pipeline"],
            code_counts=dict(header["code_counts"]),
            descriptions=dict(header["descriptions"]),
            n_train=int(header["n_train"]),
            params=_tuples(header["params"]),
            classifier=data["classifier"],
            feature_set=str(header["feature_set"]),
            description_vectors=None if vectors is None else np.asarray(vectors),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ForeignModelError(
            _(
                "a model with a malformed header ({reason}); train a new one with `coder train`"
            ).format(reason=f"{type(exc).__name__}: {exc}")
        ) from None


def _jsonable(value: Any) -> Any:  # a model's params: JSON-like values
    if isinstance(value, tuple):
        return {"__tuple__": list(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tuples(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(value["__tuple__"])
        return {k: _tuples(v) for k, v in value.items()}
    return value

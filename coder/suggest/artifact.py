"""Saving and loading suggester models without pickle.

A model is a zip of NumPy arrays (``np.savez_compressed``, read back with
``allow_pickle=False``) plus a JSON header: vocabularies, IDF weights, coefficients and
calibration parameters, nothing executable. Every blob is signed with HMAC-SHA256 under a
key kept in the project, so coder refuses a model it did not write (or one that was
altered) instead of trusting it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from coder.errors import CoderError
from coder.suggest.model import TextClassifier
from coder.suggest.question_model import QuestionModel

FORMAT = "coder-model/1"
_VECTORIZER_KEYS = ("analyzer", "ngram_range", "sublinear_tf", "lowercase", "token_pattern")


class ForeignModelError(CoderError):
    """A model blob that this project did not write, or that was changed since."""


def sign(blob: bytes, key: bytes) -> str:
    return hmac.new(key, blob, hashlib.sha256).hexdigest()


def dumps(model: QuestionModel) -> bytes:
    arrays: dict[str, np.ndarray] = {}
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
        "classifier": None,
    }
    clf = model.classifier
    if clf is not None:
        info = {
            "params": _jsonable(clf.get_params()),
            "classes": [str(c) for c in clf.classes_],
            "temperature": getattr(clf, "temperature_", None),
            "vectorizers": {},
        }
        for name in ("char_", "word_"):
            vectorizer = getattr(clf, name, None)
            if vectorizer is None:
                continue
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            config = {k: _jsonable(getattr(vectorizer, k)) for k in _VECTORIZER_KEYS}
            info["vectorizers"][name] = {"config": config, "terms": terms}
            arrays[f"{name}idf"] = vectorizer.idf_.astype(np.float64)
        arrays["coef"] = clf.coef_
        arrays["intercept"] = np.asarray(clf.intercept_, dtype=np.float64)
        if model.mode == "multi":
            arrays["platt"] = clf.platt_
            arrays["thresholds"] = clf.thresholds_
        header["classifier"] = info
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def loads(blob: bytes, *, key: bytes, mac: str) -> QuestionModel:
    """Rebuild a model, refusing any blob whose signature does not match this project's key."""
    if not hmac.compare_digest(sign(blob, key), mac or ""):
        raise ForeignModelError(
            "refusing a model this project did not write (its signature does not match); "
            "train a new one with `coder train`"
        )
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ForeignModelError(f"unreadable model ({exc})") from None
    header = json.loads(bytes(arrays.pop("header")).decode("utf-8"))
    if header.get("format") != FORMAT:
        raise ForeignModelError(f"unknown model format {header.get('format')!r}")
    model = QuestionModel(
        question_id=header["question_id"],
        mode=header["mode"],
        codes=header["codes"],
        language=header["language"],
        pipeline=header["pipeline"],
        code_counts=header["code_counts"],
        descriptions=header["descriptions"],
        n_train=header["n_train"],
        params=_tuples(header["params"]),
    )
    info = header["classifier"]
    if info is not None:
        clf = TextClassifier(**_tuples(info["params"]))
        clf.classes_ = np.array(info["classes"], dtype=object)
        clf.temperature_ = info["temperature"]
        clf.char_ = clf.word_ = None
        for name, spec in info["vectorizers"].items():
            vectorizer = TfidfVectorizer(
                **_tuples(spec["config"]),
                vocabulary={t: i for i, t in enumerate(spec["terms"])},
                dtype=np.float32,
            )
            vectorizer.idf_ = arrays[f"{name}idf"]
            setattr(clf, name, vectorizer)
        clf.coef_ = arrays["coef"]
        clf.intercept_ = arrays["intercept"]
        if model.mode == "multi":
            clf.platt_ = arrays["platt"]
            clf.thresholds_ = arrays["thresholds"]
        model.classifier = clf
    return model


def _jsonable(value):  # noqa: ANN001, ANN202
    if isinstance(value, tuple):
        return {"__tuple__": list(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tuples(value):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(value["__tuple__"])
        return {k: _tuples(v) for k, v in value.items()}
    return value

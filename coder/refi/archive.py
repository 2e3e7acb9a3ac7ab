"""Reading a .qdpx zip within limits: how many entries, how large each, how much in all.

A .qdpx is a zip file from anywhere, so it is read within ``ArchiveLimits``, checked
against the sizes the zip declares before anything is unpacked and again while unpacking
(in chunks, so a zip that lies about its sizes stops at the limit).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coder.errors import CoderError
from coder.i18n import _
from coder.refi.xml import child_text

MB = 1024 * 1024
_CHUNK = 1 * MB


@dataclass(frozen=True)
class ArchiveLimits:
    """What coder unpacks from a .qdpx at most: entries in the zip, bytes of any one entry
    it reads (the .qde and the text sources), and bytes of all the entries it reads.
    ``coder import-project --max-entries N --max-entry-mb N --max-total-mb N``."""

    max_entries: int = 10_000
    max_entry_bytes: int = 200 * MB
    max_total_bytes: int = 1024 * MB


def _size(n: int) -> str:
    return f"{n / (1024 * MB):.1f} GB" if n >= 1024 * MB else f"{n / MB:.1f} MB"


class Unpacker:
    """Reads entries of the zip within the limits; every refusal is a one-line CoderError."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, limits: ArchiveLimits):
        self.archive, self.path, self.limits = archive, path, limits
        self.total = 0  # bytes unpacked so far
        entries = len(archive.infolist())
        if entries > limits.max_entries:
            raise CoderError(
                _(
                    "{file}: holds {n} entries, more than the limit of {limit} "
                    "(raise it with --max-entries)"
                ).format(file=path, n=entries, limit=limits.max_entries)
            )

    def check(self, infos: list[zipfile.ZipInfo]) -> None:
        """Refuse, from the sizes the zip declares, entries that would break a limit."""
        limits = self.limits
        for info in infos:
            if info.file_size > limits.max_entry_bytes:
                raise CoderError(
                    _(
                        "{file}: {entry} unpacks to {size}, more than the limit of {limit} per "
                        "entry (raise it with --max-entry-mb)"
                    ).format(
                        file=self.path,
                        entry=info.filename,
                        size=_size(info.file_size),
                        limit=_size(limits.max_entry_bytes),
                    )
                )
        total = self.total + sum(info.file_size for info in infos)
        if total > limits.max_total_bytes:
            raise CoderError(
                _(
                    "{file}: its project file and text sources unpack to {size}, more than the "
                    "limit of {limit} in all (raise it with --max-total-mb)"
                ).format(file=self.path, size=_size(total), limit=_size(limits.max_total_bytes))
            )

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The entry's bytes, read in chunks and stopped at the limits whatever it declares."""
        self.check([info])
        allowed = min(self.limits.max_entry_bytes, self.limits.max_total_bytes - self.total)
        chunks: list[bytes] = []
        got = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(min(_CHUNK, allowed + 1 - got)):
                    chunks.append(chunk)
                    got += len(chunk)
                    if got > allowed:
                        raise CoderError(
                            _(
                                "{file}: {entry} unpacks to more than the limit of {limit} "
                                "though it declares {size} (a damaged or hostile zip)"
                            ).format(
                                file=self.path,
                                entry=info.filename,
                                limit=_size(allowed),
                                size=_size(info.file_size),
                            )
                        )
        except CoderError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise CoderError(
                _("{file}: {entry} is damaged ({reason})").format(
                    file=self.path, entry=info.filename, reason=exc
                )
            ) from None
        except (NotImplementedError, RuntimeError) as exc:  # other compression, encryption
            raise CoderError(
                _("{file}: {entry} cannot be unpacked ({reason})").format(
                    file=self.path, entry=info.filename, reason=exc
                )
            ) from None
        self.total += got
        return b"".join(chunks)


def qde_entry(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    infos = [i for i in archive.infolist() if i.filename.lower().endswith(".qde")]
    top = [i for i in infos if "/" not in i.filename.strip("/")]
    infos = top or infos
    if not infos:
        raise CoderError(_("{file}: no .qde file inside; not a REFI-QDA project").format(file=path))
    return next(
        (i for i in infos if i.filename.lower() == "project.qde"),
        sorted(infos, key=lambda i: i.filename)[0],
    )


def source_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The entries in sources/ (any letter case), by lower-case file name."""
    found: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        if len(parts) == 2 and parts[0].lower() == "sources":
            found.setdefault(parts[1].lower(), info)
    return found


def source_entry(
    element: ET.Element, entries: dict[str, zipfile.ZipInfo], where: str
) -> zipfile.ZipInfo | None:
    """The zip entry holding a TextSource's text (None when the text is inline)."""
    if child_text(element, "PlainTextContent") is not None:
        return None
    ref = element.get("plainTextPath") or ""
    if not ref.lower().startswith("internal://"):
        kind = _("no plain text") if not ref else _("an external file ({ref})").format(ref=ref)
        raise LookupError(
            _("{where}: {kind}; coder reads text kept inside the .qdpx").format(
                where=where, kind=kind
            )
        )
    info = entries.get(ref[len("internal://") :].lower())
    if info is None:
        raise LookupError(
            _("{where}: its text {ref} is missing from sources/ in the .qdpx").format(
                where=where, ref=ref
            )
        )
    return info


def source_text(
    unpacker: Unpacker, element: ET.Element, info: zipfile.ZipInfo | None, where: str
) -> str:
    if info is None:
        return child_text(element, "PlainTextContent") or ""
    raw = unpacker.read(info)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LookupError(
            _("{where}: {entry} is not UTF-8 text (byte {byte})").format(
                where=where, entry=info.filename, byte=exc.start
            )
        ) from None

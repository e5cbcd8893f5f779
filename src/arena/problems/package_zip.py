"""The one safe zip reader: a zip upload becomes a Package without touching the disk.

Every entry is inflated in chunks and counted against PackageCaps as it comes (bytes, entries,
ratio), so a bomb is refused after a megabyte or so, whatever sizes it declares. Names are
normalised and confined (no '..', no absolute path, no symlink, no '.', no file that is also a
folder); errors name the entry, never a server path (nothing is written to one).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib

from arena.problems.errors import ProblemFormatError
from arena.problems.package import Budget, Package, PackageCaps, normalise, shown

# bzip2 and lzma entries are inflated by zipfile without an output bound (a 4 KiB read can become
# gigabytes before we see it), and no common zip tool writes them: only stored and deflated.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_CHUNK = 64 * 1024
_CENTRAL_RECORD_BYTES = 512  # generous for one entry: 46 bytes, a name and a few extra fields


def read_zip(data: bytes, caps: PackageCaps = PackageCaps()) -> Package:
    _check_central_directory(data, caps)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise ProblemFormatError("zip", "not a zip archive") from None
    budget, files = Budget(caps), {}
    with archive:
        for member in archive.infolist():
            field = shown(member.filename)
            budget.entry(field)
            path = normalise(member.filename, field)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ProblemFormatError(field, "a symlink; packages may not hold symlinks")
            if member.is_dir():
                continue
            if path in files:
                raise ProblemFormatError(field, "appears twice in the archive")
            files[path] = _inflate(archive, member, field, budget)
    return Package(files, files.__getitem__)


def _check_central_directory(data: bytes, caps: PackageCaps) -> None:
    # ZipFile parses the whole central directory before anything can count it: a 64 MiB upload of
    # empty entries would be a million ZipInfo objects first. Its end record says how many entries
    # and bytes the directory holds (zipfile reads by those bytes), so refuse on those first.
    try:
        end = zipfile._EndRecData(io.BytesIO(data))  # private, but the parser ZipFile itself uses
    except (OSError, ValueError):
        end = None
    if end is None:
        raise ProblemFormatError("zip", "not a zip archive")
    if end[zipfile._ECD_ENTRIES_TOTAL] > caps.entries \
            or end[zipfile._ECD_SIZE] > caps.entries * _CENTRAL_RECORD_BYTES:
        raise ProblemFormatError("zip", f"the package holds more than {caps.entries} files")


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, field: str, budget: Budget) -> bytes:
    if member.flag_bits & 0x1:
        raise ProblemFormatError(field, "encrypted; upload an unencrypted zip")
    if member.compress_type not in _METHODS:
        raise ProblemFormatError(field, f"compression method {member.compress_type} is not supported; "
                                        "use stored or deflated")
    if member.file_size > budget.caps.entry_bytes:  # a declared size may refuse, never admit
        raise ProblemFormatError(field, f"declares more than {budget.caps.entry_bytes // 1024 // 1024} MiB")
    chunks, size = [], 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                budget.read(field, size, len(chunk), member.compress_size)
                chunks.append(chunk)
    except ProblemFormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as exc:
        # e.g. "Bad CRC-32": what an entry that lies about its size ends in, once its declared
        # bytes are read (zipfile never inflates past them, and our count stops it before)
        raise ProblemFormatError(field, f"unreadable entry: {exc}") from None
    return b"".join(chunks)

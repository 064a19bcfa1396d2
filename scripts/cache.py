"""A content-hash cache of per-page and per-article work, so a rebuild redoes only what changed.

One file per key under ``<root>/.cache/archive/<namespace>/<key>.pickle`` (``root`` is the
build's project root, so a build in a temporary folder never touches the project's cache). A
key is the SHA-256 of everything the work reads: the input's content and a fingerprint of the
code (every ``scripts/*.py`` and ``scripts/data/*`` file, the Python version and the versions of
the libraries the stages call). Values are pickled (protocol 5) and written atomically (a
temporary file, then ``os.replace``), so a reader never sees half an entry; an entry that
cannot be read or unpickled is a miss and is rebuilt. Entries not used by the last run are
pruned. ``ARCHIVE_CACHE=off`` turns the cache off.

The fingerprint vouches for the code on disk, not for what a process has loaded: when a source
file changed after this process started, the cache is off for the run (a long ``mkdocs serve``
keeps its old modules in memory). A test that monkeypatches a stage must build in its own root.

>>> import tempfile
>>> cache = Cache(Path(tempfile.mkdtemp()) / "pages", fingerprint="code v1")
>>> key = cache.key("page bytes", "meta")
>>> cache.get(key) is MISSING
True
>>> cache.put(key, ("result", []))
>>> cache.get(key)
('result', [])
>>> import shutil; shutil.rmtree(cache.directory.parent)
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

log = logging.getLogger("archive")

CACHE_DIR = Path(".cache") / "archive"  # under the build's root
SCRIPTS_DIR = Path(__file__).resolve().parent
SUFFIX = ".pickle"
PROTOCOL = 5
ENV_SWITCH = "ARCHIVE_CACHE"  # "off" (or "0", "no", "false") disables the cache
LIBRARIES = ("jieba", "rjieba", "PyYAML")  # third-party code the cached stages run
STARTED = time.time()  # when this process loaded the pipeline (scripts.pipeline imports this first)

MISSING = object()  # what ``Cache.get`` returns for a key it does not hold


def content_key(*parts: bytes | str) -> str:
    """SHA-256 over the parts, each length-prefixed (so ``("ab", "c")`` and ``("a", "bc")``
    differ).

    >>> content_key("ab", "c") != content_key("a", "bc")
    True
    >>> len(content_key(b"x"))
    64
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def value_bytes(value: object) -> bytes:
    """``value`` (strings, numbers, tuples, lists, dataclasses of them) as bytes for a key:
    pickled without the memo, so equal values give the same bytes whichever equal objects are
    one object. Three times faster than ``repr`` on Chinese text (``repr`` looks up whether each
    character prints), and hashed without encoding.

    >>> word = "党建"
    >>> value_bytes([word, word]) == value_bytes([word, "".join(["党", "建"])])
    True
    >>> value_bytes((1,)) != value_bytes([1]) != value_bytes([True])
    True
    """
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=PROTOCOL)
    pickler.fast = True  # no memo: no references to objects seen before
    pickler.dump(value)
    return out.getvalue()


def source_files(scripts_dir: Path = SCRIPTS_DIR) -> list[Path]:
    """The files whose content decides what the cached stages compute, in a stable order."""
    data = scripts_dir / "data"
    files = list(scripts_dir.glob("*.py")) + (list(data.rglob("*")) if data.is_dir() else [])
    return sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts)


@lru_cache(maxsize=1)
def library_versions() -> str:
    """Python's version and those of :data:`LIBRARIES` (``-`` for one not installed); read
    once, as a process keeps the libraries it loaded."""
    from importlib.metadata import PackageNotFoundError, version

    def one(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return ";".join([sys.version] + [f"{name}={one(name)}" for name in LIBRARIES])


def code_fingerprint(scripts_dir: Path = SCRIPTS_DIR, since: float | None = None) -> str | None:
    """A hash of the code the cached stages run, or ``None`` when a source file changed after
    ``since`` (default :data:`STARTED`: this process may have loaded an older version of it
    than the one on disk)."""
    since = STARTED if since is None else since
    files = source_files(scripts_dir)
    parts: list[bytes | str] = [library_versions()]
    for path in files:
        if path.stat().st_mtime > since:
            log.info("cache off: %s changed after the build started", path.name)
            return None
        parts += [path.relative_to(scripts_dir).as_posix(), path.read_bytes()]
    return content_key(*parts)


def cache_enabled() -> bool:
    """False when ``ARCHIVE_CACHE`` says off."""
    return os.environ.get(ENV_SWITCH, "").strip().lower() not in ("off", "0", "no", "false")



class Packed:
    """A value that crosses processes and the cache pickled, and is unpickled only where it is
    read (:attr:`value`). A cache entry holds parts that different processes read: the
    per-article entry of the enrich stage holds the enrichment, the words the tags read, the
    vector the related-article search reads and the sample the near-duplicate search reads.
    For a large archive each is read in a process of its own, which alone unpickles it
    (``pipeline.enrich_report``). A part is unpickled when read, not when its entry is: a part
    damaged inside an entry that still unpickles fails the build instead of being rebuilt.

    >>> p = pickle.loads(pickle.dumps(Packed(("党建", "园区"))))
    >>> p.value, p == Packed(("党建", "园区"))
    (('党建', '园区'), True)
    """

    __slots__ = ("_value", "_blob")

    def __init__(self, value: object) -> None:
        self._value, self._blob = value, None

    @classmethod
    def from_blob(cls, blob: bytes) -> Packed:
        packed = cls.__new__(cls)
        packed._value, packed._blob = MISSING, blob
        return packed

    @property
    def unpickled(self) -> bool:
        """Whether this process holds the value (made it, or read it)."""
        return self._value is not MISSING

    @property
    def value(self) -> object:
        if self._value is MISSING:
            self._value = pickle.loads(self._blob)
        return self._value

    def __reduce__(self):
        blob = self._blob if self._blob is not None else pickle.dumps(self._value, protocol=PROTOCOL)
        return Packed.from_blob, (blob,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Packed) and self.value == other.value

    def __repr__(self) -> str:
        return f"Packed({self.value!r})"


class Unpacked(Sequence):
    """The values of a sequence of :class:`Packed`, unpickled when read (in the process that
    reads them)."""

    def __init__(self, items: Sequence[Packed]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):  # type: ignore[override]
        return self._items[i].value


class UnpackedMap(Mapping):
    """The values of a mapping of :class:`Packed`, unpickled when read."""

    def __init__(self, items: Mapping[str, Packed]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __getitem__(self, key: str):
        return self._items[key].value

@dataclass
class Cache:
    """One namespace of the cache (a folder of ``<key>.pickle`` files); ``directory`` None is
    a cache that holds nothing. Keys include the code ``fingerprint``. Counts its hits and
    misses, and remembers the keys this run used, so :meth:`prune` can delete the others."""

    directory: Path | None
    fingerprint: str = ""
    hits: int = 0
    misses: int = 0
    used: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, root: Path, namespace: str) -> Cache:
        """The ``namespace`` cache of a build rooted at ``root`` (off when the environment
        says so or the code on disk is not the code that runs)."""
        fingerprint = code_fingerprint() if cache_enabled() else None
        if fingerprint is None:
            return cls(None)
        return cls(root / CACHE_DIR / namespace, fingerprint)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def key(self, *parts: bytes | str) -> str:
        """The key of work whose inputs are ``parts``, run by this code."""
        return content_key(self.fingerprint, *parts)

    def path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}{SUFFIX}"

    def get(self, key: str, valid: Callable[[object], bool] = lambda value: True) -> object:
        """The value stored under ``key``, or :data:`MISSING` (also for an entry that cannot
        be read or unpickled, or whose value is not ``valid``)."""
        self.used.add(key)
        if self.directory is None:
            self.misses += 1
            return MISSING
        try:
            with open(os.path.join(self.directory, key + SUFFIX), "rb") as entry:  # no Path: 28,000 a rebuild
                value = pickle.loads(entry.read())
            if not valid(value):
                raise ValueError(f"unexpected {type(value).__name__}")
        except FileNotFoundError:
            value = MISSING
        except Exception as err:  # truncated, garbled, from a class that no longer exists...
            log.info("cache: ignoring unreadable entry %s (%s: %s)", key, type(err).__name__, err)
            value = MISSING
        if value is MISSING:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, value: object) -> None:
        """Store ``value`` under ``key``."""
        self.put_blob(key, pickle.dumps(value, protocol=PROTOCOL))

    def put_blob(self, key: str, blob: bytes) -> None:
        """Store an already pickled value; a cache that cannot be written is only slower."""
        self.used.add(key)
        if self.directory is None:
            return
        try:
            try:
                write_atomically(self.path(key), blob)
            except FileNotFoundError:  # the first entry (the folder is made once, not per entry)
                self.directory.mkdir(parents=True, exist_ok=True)
                write_atomically(self.path(key), blob)
        except OSError as err:
            log.info("cache: cannot write %s (%s)", key, err)

    def prune(self) -> int:
        """Delete every entry (and stray temporary file) this run did not use; how many."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        removed = 0
        for path in self.directory.iterdir():
            if path.name.endswith(SUFFIX) and path.name[: -len(SUFFIX)] in self.used:
                continue
            try:
                path.unlink()
                removed += 1
            except OSError:  # gone already (another build pruned it), or not ours to remove
                pass
        return removed


RACY_NS = 2_000_000_000  # a file changed this close to being read is read again next time


class FileDigests:
    """The SHA-256 of files' bytes, remembered between builds by each file's state (inode,
    size, modification and change times), as git's index does: a rebuild after one page
    changed reads that page, not the 4,000 others (80 MB at 10,000 articles, a quarter of a
    second with hashing). Any write gives a file a new change time. Like git's "racily clean"
    rule, a file changed less than :data:`RACY_NS` before it was read is not remembered: a
    change within the same tick of the file system's clock could leave its state as it was.
    Kept as one entry of ``cache`` (:meth:`keep`); a cache that is off remembers nothing."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.key = cache.key("file digests")
        known = cache.get(self.key, lambda v: isinstance(v, dict)) if cache.enabled else MISSING
        self.known: dict[str, tuple[tuple[int, int, int, int], str]] = {} if known is MISSING else known
        self.seen: dict[str, tuple[tuple[int, int, int, int], str]] = {}

    def get(self, path: str) -> tuple[str, bytes | None] | None:
        """``(digest, bytes)`` of the file at ``path``: the bytes are None when the digest was
        remembered (not read). None when the file cannot be read."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        known = self.known.get(path)
        if known is not None and known[0] == (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns):
            self.seen[path] = known
            return known[1], None
        return self.read(path, st)

    def read(self, path: str, st: os.stat_result | None = None) -> tuple[str, bytes] | None:
        """``(digest, bytes)`` of the file at ``path``, read now (``st``: its state, taken
        before), remembered unless it changed just before; None when it cannot be read."""
        try:
            st = st or os.stat(path)
            data = Path(path).read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            self.seen[path] = ((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), digest)
        return digest, data

    def keep(self) -> None:
        """Remember the files seen in this build (only those) for the next."""
        if self.cache.enabled and self.seen != self.known:
            self.cache.put(self.key, self.seen)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``. The
    temporary file is named by this process and thread (no other writer can share the name),
    so it is opened directly: a cold build of 10,000 articles writes 32,000 entries, and
    ``tempfile.mkstemp``'s random names, with a ``mkdir`` before each, cost a quarter of each."""
    tmp = f"{path.parent}/.{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

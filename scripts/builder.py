"""``mkdocs serve``'s build process: the pipeline of every build of the server, run in a process
forked before the server starts its threads.

``mkdocs serve`` rebuilds beside its threads (the web server, the file watcher). A process
forked then could wait forever on a lock one of them held, so the pipeline forks no pool and
no helper there (``pipeline.worker_count``): at 10,000 articles a rebuild ran on one core. So
the hooks start a :class:`Builder` at ``on_startup``, while the server has no thread yet; each
build hands it the folders and gets back what ``pipeline.build_unless_built`` reported. It runs
the pipeline as ``mkdocs build`` does, pool and helpers included, and keeps what that function
remembers between builds. If it is gone (killed, out of memory), the build runs in the server
as before.
"""
from __future__ import annotations

import logging
import os
import pickle
import threading
from pathlib import Path

from . import events
from .cache import PROTOCOL
from .pipeline import BuildSummary, build, build_unless_built

log = logging.getLogger("archive")


class BuilderGone(RuntimeError):
    """The build process cannot be reached (it was killed, or ran out of memory)."""


class Builder:
    """A forked process that runs :func:`~scripts.pipeline.build_unless_built` on request."""

    def __init__(self, pid: int, requests, replies) -> None:
        self.pid, self._requests, self._replies = pid, requests, replies

    @classmethod
    def start(cls) -> Builder | None:
        """The process, forked now; None where forking is not safe or possible (other threads
        running, not Linux)."""
        if threading.active_count() > 1 or not hasattr(os, "fork"):
            return None
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: serve requests until the server closes its end
            events.articles_written.clear()  # the server's listeners act in the server, on its files
            os.close(request_write)
            os.close(reply_read)
            status = 0
            try:
                with os.fdopen(request_read, "rb") as requests, os.fdopen(reply_write, "wb") as replies:
                    _serve(requests, replies)
            except BaseException:  # Ctrl-C reaches the whole process group; any other end
                status = 1
            finally:
                os._exit(status)
        os.close(request_read)
        os.close(reply_write)
        return cls(pid, os.fdopen(request_write, "wb"), os.fdopen(reply_read, "rb"))

    @property
    def alive(self) -> bool:
        return self._requests is not None

    def build(self, seeds_dir: Path, docs_dir: Path, root: Path | None = None) -> BuildSummary:
        """``build_unless_built(seeds_dir, docs_dir, root)`` in the process; what it raised is
        raised here. :class:`BuilderGone` when the process cannot be reached: it is closed."""
        if self._requests is None:
            raise BuilderGone("the build process was stopped")
        try:
            pickle.dump((seeds_dir, docs_dir, root), self._requests, protocol=PROTOCOL)
            self._requests.flush()
            ok, value = pickle.load(self._replies)
        except (OSError, EOFError, pickle.UnpicklingError) as err:
            self.close()
            raise BuilderGone(f"{type(err).__name__}: {err}") from err
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Stop the process (it ends when its request pipe closes) and wait for it."""
        if self._requests is None:
            return
        for stream in (self._requests, self._replies):
            try:
                stream.close()
            except OSError:
                pass
        self._requests = self._replies = None
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve(requests, replies) -> None:
    """Answer build requests until there are no more: (True, summary) or (False, exception)."""
    while True:
        try:
            seeds_dir, docs_dir, root = pickle.load(requests)
        except EOFError:
            return
        try:
            outcome: tuple[bool, object] = (True, build_unless_built(seeds_dir, docs_dir, root))
        except Exception as err:  # sent to the server, raised there
            outcome = (False, err)
        try:
            pickle.dump(outcome, replies, protocol=PROTOCOL)
        except Exception as err:  # an exception that cannot be pickled
            pickle.dump((False, RuntimeError(f"build: {type(err).__name__}: {err}")), replies, protocol=PROTOCOL)
        replies.flush()


_builder: list[Builder] = []  # the server's (the hooks module is loaded again at every build)
_serving: list[bool] = []  # [True] from start_builder to stop_builder: this process serves


def start_builder() -> None:
    """Start the server's build process (``on_startup`` of ``mkdocs serve``)."""
    stop_builder()
    _serving.append(True)
    builder = Builder.start()
    if builder is not None:
        _builder.append(builder)


def stop_builder() -> None:
    """Stop it (``on_shutdown``)."""
    while _builder:
        _builder.pop().close()
    _serving.clear()


def build_in_builder(seeds_dir: Path, docs_dir: Path, root: Path | None = None) -> BuildSummary:
    """``build_unless_built`` in the server's build process when there is one, else here;
    ``mkdocs build`` (no server: one build a process, none to skip) just builds."""
    if _builder and _builder[-1].alive:
        try:
            return _builder[-1].build(seeds_dir, docs_dir, root)
        except BuilderGone as err:
            log.warning(f"archive: the build process is gone ({err}); building in the server")
            _builder.clear()
    if not _serving:
        return BuildSummary.of(build(seeds_dir, docs_dir, root=root))
    return build_unless_built(seeds_dir, docs_dir, root)

"""Rows kept between an import's two passes in a temporary file, never all in memory (importer.py)."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Any


class Spool:
    """Clean rows between the passes, pickled chunk by chunk into a temporary file: never all in memory.

    Iterating reads them back in the order they were added (one reader at a time).
    """

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._count = 0

    def add(self, rows: list[Any]) -> None:
        if not rows:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), after pass 2
        self._file.seek(0, 2)
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += len(rows)

    def __iter__(self) -> Iterator[Any]:
        for chunk in self.chunks():
            yield from chunk

    def chunks(self) -> Iterator[list[Any]]:
        """The rows as they were added, one list per add()."""
        if self._file is None:
            return
        self._file.seek(0)
        left = self._count
        while left > 0:  # one pickle per chunk, each read with its own unpickler (memo)
            chunk = pickle.load(self._file)
            left -= len(chunk)
            yield chunk

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Spool) and list(self) == list(other)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Tally(Spool):
    """A Spool that only counts: the rows went elsewhere as they came (import_pipe's writer has them)."""

    def add(self, rows: list[Any]) -> None:
        self._count += len(rows)

    def chunks(self) -> Iterator[list[Any]]:
        raise TypeError("a tally keeps no rows")

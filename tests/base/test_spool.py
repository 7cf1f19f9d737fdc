"""The import's row spool (base/spool.py): rows back in the order kept, and a tally that keeps none."""

from __future__ import annotations

import pytest

from zhigai.base.spool import Spool, Tally


def test_a_spool_gives_its_chunks_back_in_order_as_often_as_asked() -> None:
    spool = Spool()
    spool.add([("a", 1), ("b", 2)])
    spool.add([])
    spool.add([("c", 3)])
    assert len(spool) == 3
    assert list(spool.chunks()) == [[("a", 1), ("b", 2)], [("c", 3)]]
    assert list(spool) == [("a", 1), ("b", 2), ("c", 3)], "read again from the start"
    spool.close()


def test_a_tally_counts_and_refuses_to_be_read() -> None:
    tally = Tally()
    tally.add([1, 2, 3])
    tally.add([4])
    assert len(tally) == 4
    with pytest.raises(TypeError, match="keeps no rows"):
        list(tally)

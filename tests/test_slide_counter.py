"""residue/slide-counter removes a slideshow's counter, never a value that looks
like one (issue 21, item 3): cells of a table, 24/7, dates."""

from __future__ import annotations

import pytest

from cleaner import default_pipeline
from cleaner.core.lines import run_line_pass

(SLIDE_COUNTER,) = [r for r in default_pipeline().rules if r.id == "residue/slide-counter"]

INTRO = "New Zealand has a temperate climate, with mild summers and cool, wet winters in most regions.\n\n"


def removed_by_counter(text: str) -> list[str]:
    return [r.text for r in run_line_pass([SLIDE_COUNTER], text)[1]]


def test_temperature_cells_of_a_table_stay():
    table = "Average high/low (°C)\nCity\nJanuary\nJuly\nAuckland\n23/16\n14/7\nWellington\n20/13\n11/6\nChristchurch\n22/12\n11/2\n"
    out = default_pipeline().clean(INTRO + table).text
    for cell in ("23/16", "14/7", "20/13", "11/6", "22/12", "11/2"):
        assert f"\n{cell}\n" in out


@pytest.mark.parametrize("value", ["24/7", "9/11", "3/4", "14/14", "1/2"])
def test_a_value_alone_on_a_line_stays(value):
    text = f"{INTRO}Opening hours and facts\n{value}\nCall us or visit the office in the town centre any day.\n"
    assert removed_by_counter(text) == []


def test_counters_of_a_slideshow_go():
    gallery = "".join(
        f"{k}/5\nCaption number {k} of the pictures\nThe storm flooded the harbour on the morning of day {k}.\n"
        for k in range(1, 6)
    )
    assert removed_by_counter(INTRO + gallery) == [f"{k}/5" for k in range(1, 6)]


@pytest.mark.parametrize("counter", ["1 of 6", "3/12", "Bild 2 von 8"])
def test_a_counter_next_to_a_photo_credit_goes(counter):
    text = f"{INTRO}{counter}\nPhoto: Reuters\nThe harbour was flooded on Monday morning after the storm.\n"
    assert removed_by_counter(text) == [counter]


def test_a_counter_that_cannot_be_a_place_in_a_sequence_stays_even_in_a_gallery():
    text = f"{INTRO}Photo gallery\n0/5\n7/5\nThe harbour was flooded on Monday morning after the storm.\n"
    assert removed_by_counter(text) == []

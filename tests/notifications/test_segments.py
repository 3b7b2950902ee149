"""Segment counting: GSM-7 (å, ä, ö are in it) and UCS-2."""

import pytest

from careplatform.sms.segments import count_segments, is_gsm7


def test_swedish_letters_are_gsm7():
    assert is_gsm7("Hej Åsa, välkommen till Öjebyn kl. 14.30! Ärende? Nej.")


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("å" * 160, "GSM-7", 160, 1),
        ("ä" * 161, "GSM-7", 161, 2),
        ("ö" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 162, 2),
        ("[" + "a" * 159, "GSM-7", 161, 2),
        ("ł" * 70, "UCS-2", 70, 1),  # not in the GSM alphabet
        ("ł" * 71, "UCS-2", 71, 2),
        ("ł" * 134, "UCS-2", 134, 2),
        ("ł" * 135, "UCS-2", 135, 3),
        ("👍" * 35, "UCS-2", 70, 1),  # a surrogate pair is two code units
        ("👍" * 36, "UCS-2", 72, 2),
    ],
)
def test_segments(text, encoding, units, segments):
    counted = count_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_an_extension_character_is_not_split_across_segments():
    # 152 plain septets, then "€" (2) would straddle the 153-septet boundary: it moves on.
    assert count_segments("a" * 152 + "€" + "a" * 151).segments == 2
    assert count_segments("a" * 152 + "€" + "a" * 152).segments == 3


def test_an_emoji_is_not_split_across_segments():
    assert count_segments("ł" * 66 + "👍" + "ł" * 65).segments == 2
    assert count_segments("ł" * 66 + "👍" + "ł" * 66).segments == 3

"""Small text helpers for text that came from outside (lead names, comments)."""

import re

# Every character that starts a new line somewhere: CR, LF, VT, FF, NEL, LS, PS.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")


def one_line(text) -> str:
    """``text`` on one line: line breaks become spaces, runs of spaces one.

    For email subjects and other headers: Django refuses a header holding a
    line break (BadHeaderError, so the message would never go out), and a header
    must never be split by what a stranger typed into a form.
    """
    return " ".join(_LINE_BREAKS.sub(" ", str(text or "")).split())

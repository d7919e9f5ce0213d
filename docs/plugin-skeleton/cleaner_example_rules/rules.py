"""Two rules, one of each common kind. Each carries an example it must change and one
it must leave alone; cleaner runs them when it discovers the plugin and refuses a rule
whose examples fail."""

from __future__ import annotations

from typing import Literal

from cleaner import Example, line_rule, rule
from cleaner.rule import LineContext


@line_rule(
    "residue/example-shop-footer",
    "Remove the 'Visit the Example shop' line at the end of example.com pages",
    where="tail",  # only after the last paragraph of prose: inside the article it is content
    examples=[
        Example(
            "The council approved the new budget on Tuesday after a long debate.\n\nVisit the Example shop\n",
            "The council approved the new budget on Tuesday after a long debate.\n\n",
        ),
        Example("Visit the Example shop, the mayor told reporters, before the budget vote on Tuesday.\n",
                note="a sentence that mentions the shop stays"),
    ],
)
def example_shop_footer(line: str, ctx: LineContext) -> bool | str | dict[str, str] | None:
    """The footer line of example.com's template. Returns True to remove the line;
    None keeps it. (A string also removes it and is recorded as the reason; a dict
    removes it and keeps the dict as document metadata.)"""
    return line.strip().lower() == "visit the example shop" or None


@rule(
    "example/shout-headings",
    "Upper-case Markdown headings (an example of a text rule with an option)",
    examples=[
        Example("# Budget approved\n\nThe council met.\n", "# BUDGET APPROVED\n\nThe council met.\n"),
        Example("The council met.\n", note="no heading, nothing to do"),
    ],
    after="headings/normalise",  # where --enable and a pack's `add` put it
)
def shout_headings(text: str, *, level: Literal["all", "first"] = "all") -> str:
    """Write every Markdown heading (or only the first, ``level = "first"``) in
    capitals. Leaves the body text alone."""
    lines = text.split("\n")
    done = False
    for i, line in enumerate(lines):
        if line.startswith("#") and not (done and level == "first"):
            lines[i] = line.upper()
            done = True
    return "\n".join(lines)

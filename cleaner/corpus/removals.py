"""What the site-template rule removed in a run, per site, counted from the run's
provenance: the scan's report says which lines recur on a site's pages (the
candidates), this says what the clean phase removed: how many lines, from how
many pages. ``cleaner run`` adds it to the manifest's ``corpus`` section and to
the rule's summary line (:func:`with_removals`).

The site of a removal is read from its reason, which names it ("on 9 of 12 pages
of x.org, in a block of 40 such lines"; a site that is the top input folder is
"this site"): a provenance line does not otherwise say which site a record (a
JSONL line with a ``url``) belongs to. A reason that names no site is counted
under :data:`UNKNOWN_SITE`, not left out.

Duplicates need nothing here: the scan's verdicts are the clusters, and the
manifest lists them already (:meth:`cleaner.rules.corpus.DuplicateStats.report`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.io.provenance import provenance_lines

TEMPLATE_RULE = "corpus/site-template"
#: Where removals whose reason names no site are counted.
UNKNOWN_SITE = "(site not named in the reason)"
#: The label the rule's reasons give the site of files at the top of IN (site ``.``).
TOP_FOLDER_LABEL = "this site"

# "on 9 of 12 pages of x.org, in a block of 40 such lines": the site is what stands between
# "pages of " and where the line is (cleaner.corpus.templates.template_blocks says it: "in a
# block of 40 such lines", with ", 12 of them on 4 pages or more" when some lines are weaker;
# "at the top of the page", "at the end of the page"). A folder name may hold a comma itself;
# a reason of another form: the site is what stands before the last ", ".
_WHERE = r"(?:in a block of \d+ such lines(?:, \d+ of them on \d+ pages or more)?|at the (?:top|end) of the page)"
_SITE_IN_REASON = re.compile(r"\bpages of (?P<site>.+?), " + _WHERE + "$")
_SITE_BEFORE_LAST_COMMA = re.compile(r"\bpages of (?P<site>.+), [^,]*$")


def site_in_reason(why: str | None) -> str | None:
    """The site a template removal's reason names, or None."""
    found = _SITE_IN_REASON.search(why or "") or _SITE_BEFORE_LAST_COMMA.search(why or "")
    if found is None:
        return None
    site = found.group("site")
    return "." if site == TOP_FOLDER_LABEL else site


@dataclass
class TemplateRemovals:
    """Per site: template lines removed, and pages with at least one removed."""

    lines: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)
    replaced: Counter = field(default_factory=Counter)  # HTML pages given their own text minus the template

    def add(self, record: dict[str, Any]) -> None:
        """Count one provenance line's template removals (and a replaced text)."""
        here: Counter = Counter()
        touched: set[str] = set()
        for step in record.get("steps") or ():
            if step.get("rule") != TEMPLATE_RULE or step.get("action") not in ("removed", "changed"):
                continue
            site = site_in_reason(step.get("why")) or UNKNOWN_SITE
            touched.add(site)
            if step["action"] == "removed":
                here[site] += 1
            else:
                self.replaced[site] += 1
        self.lines.update(here)
        self.pages.update(touched)

    def totals(self) -> dict[str, int]:
        return {"lines": sum(self.lines.values()), "pages": sum(self.pages.values()),
                "replaced": sum(self.replaced.values())}


def count_template_removals(provenance: Path) -> TemplateRemovals:
    """The template removals of every document in a run's ``provenance.jsonl``
    (compressed or not), streaming; only the lines that name the rule are parsed."""
    found = TemplateRemovals()
    mark = json.dumps(TEMPLATE_RULE)
    for line in provenance_lines(provenance):
        if mark in line:
            found.add(json.loads(line))
    return found


def with_removals(
    found: dict[str, Any], said: dict[str, str], provenance: Path
) -> tuple[dict[str, Any], dict[str, str]]:
    """The corpus rules' reports and summary lines (rule id -> each) with the
    template rule's removals added: ``removed: {lines, pages}`` in its report,
    ``lines_removed`` and ``pages_touched`` in each site it lists, "; 45 lines
    removed from 12 pages" on its summary line. Unchanged without that rule."""
    if TEMPLATE_RULE not in found:
        return found, said
    removals = count_template_removals(provenance)
    report = dict(found[TEMPLATE_RULE])
    report["removed"] = removals.totals()
    report["largest"] = [
        {**entry, "lines_removed": removals.lines[entry.get("site")], "pages_touched": removals.pages[entry.get("site")]}
        for entry in report.get("largest", [])
    ]
    if removals.lines[UNKNOWN_SITE]:
        report["removed"]["site_not_named"] = removals.lines[UNKNOWN_SITE]
    totals = report["removed"]
    summary = said.get(TEMPLATE_RULE, "")
    removed = f"{_counted(totals['lines'], 'line')} removed from {_counted(totals['pages'], 'page')}"
    return {**found, TEMPLATE_RULE: report}, {**said, TEMPLATE_RULE: f"{summary}; {removed}" if summary else removed}


def _counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"

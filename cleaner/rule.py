"""``cleaner.rule`` is :mod:`cleaner.core.rule` under the name plugins and README import it by
(``from cleaner.rule import LineContext``, ``cleaner.rule.corpus_rule``).

Not a copy: this module puts the core module itself in its place, so both names are one module
object and a patch or an ``isinstance`` through either name sees the other.
"""

import sys

from cleaner.core import rule as _module
from cleaner.core.rule import *  # noqa: F401,F403  (what type checkers see; they do not follow sys.modules)

sys.modules[__name__] = _module

"""``cleaner.registry`` is :mod:`cleaner.loading.registry` under the name plugins import it by
(``from cleaner.registry import failing_example`` in docs/plugin-skeleton's tests).

Not a copy: this module puts the loading module itself in its place, so both names are one
module object and a patch through either name (``default_registry``, ``entry_points``) sees the other.
"""

import sys

from cleaner.loading import registry as _module
from cleaner.loading.registry import *  # noqa: F401,F403  (what type checkers see; they do not follow sys.modules)

sys.modules[__name__] = _module

"""``python -m askposts.cli``: the same as the ``askposts`` command."""
import sys

from . import main

sys.exit(main())

"""``python -m vmadesk``."""

import sys

from vmadesk.cli import main

sys.exit(main())

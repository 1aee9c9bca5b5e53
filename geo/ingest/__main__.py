"""``python -m geo.ingest``: see geo/ingest/cli.py."""

import sys

from geo.ingest.cli import main

sys.exit(main())

"""The limits every import enforces, in one place (deployments may change them here).

A file beyond a limit is refused, or its offending rows reported, with a message that names the
limit; none of them costs more than a pass over the file's bytes to check.
"""

from __future__ import annotations

# A file whose header has more columns than this is refused before any row is parsed
# (ACLED's widest export has 31 columns, UCDP GED's 53).
MAX_COLUMNS = 500

# A value longer than this (in characters) makes its row a problem: the row is left out.
MAX_FIELD_CHARS = 100_000

# Fatalities, injuries and their ranges above this are "larger than any plausible count":
# it keeps sums over a million events far from int64's limit.
MAX_COUNT = 1_000_000_000

# A .zip (or spreadsheet) whose member would unpack to more than this is refused.
MAX_UNPACKED_BYTES = 2_000_000_000

# Bytes of the start of a file that the delimiter sniffer and the encoding detector look at.
SNIFF_BYTES = 64 * 1024

"""tests/etl: the folder is on sys.path so that test modules share helpers (test_refresh's Env and webhook Stub)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

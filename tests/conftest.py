"""Shared test setup: a project-local model cache and a non-interactive matplotlib backend."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("XAIKIT_CACHE_DIR", str(ROOT / ".xaikit-cache"))
os.environ.setdefault("MPLBACKEND", "agg")

"""The embedded-kit generator: run `python scripts/kitgen/generate.py` (see README.md here)."""

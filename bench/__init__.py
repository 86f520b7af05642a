"""Benchmarks at county scale (issue 11): `python -m bench` (or `make bench`). Not tests."""

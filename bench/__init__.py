"""Benchmarks of serviceloop on PostgreSQL (`make bench`; see bench/README.md)."""

"""Simulated cluster and the bundled example repo, for the demo, tests and benchmarks."""

"""Speed and memory benchmarks, run by hand as ``python -m benchmarks.<name>``."""

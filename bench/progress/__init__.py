"""Benchmark: progress dashboard and overview latency by history size."""

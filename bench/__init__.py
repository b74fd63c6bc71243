"""Benchmarks: standalone scripts run by hand, not tests."""

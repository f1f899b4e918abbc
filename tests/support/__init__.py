"""Helpers shared by the test suites: a sandbox process and WAV generators."""

"""Learners, API tokens and who is calling."""

"""Submissions: learners' attempts, their results and history."""

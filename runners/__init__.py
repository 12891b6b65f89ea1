"""Syllabus runner: sandboxed execution of learner exercise code."""

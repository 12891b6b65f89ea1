"""The Syllabus test suite."""

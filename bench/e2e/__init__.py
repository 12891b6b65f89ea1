"""End-to-end benchmark: submissions through the API, graded by a real runner."""

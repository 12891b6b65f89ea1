"""Results posted by learners' CI systems (Exercism results.json, JUnit XML, our own document)."""

"""The exercise catalogue as learners see it (never hidden tests or reference solutions)."""

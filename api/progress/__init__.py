"""Learner progress: topic and resource state, events, weekly goals, mastery, recommendations."""

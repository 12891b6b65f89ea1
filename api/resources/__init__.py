"""Curated resources: proposals, review, ratings and link health."""

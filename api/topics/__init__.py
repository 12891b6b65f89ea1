"""The topic graph: topics, prerequisite edges and the whole-graph view."""

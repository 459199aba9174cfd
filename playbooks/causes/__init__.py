"""Complaints traced to causes: a category confirmed at closing, and the five whys."""

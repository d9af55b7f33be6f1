"""Social: comments (with replies, reactions and reports), timestamped reactions on a
video, ratings and reviews (with helpful votes)."""

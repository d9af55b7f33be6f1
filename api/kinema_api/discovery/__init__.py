"""Discovery: personalised home rows and "More like this", served from the lists the
recommender's training job stored (see docs/recommendations.md)."""

"""Auto-tagging: genre, mood and theme tags and a maturity suggestion for a title, from
its description, subtitle text and keyframes (docs/auto-tagging.md).

:mod:`kinema.tagging.local` is the default (a deterministic classifier over the TF-IDF
content vectors of :mod:`kinema.recommend.content` and a keyword lexicon shipped here);
:mod:`kinema.tagging.claude` asks Claude when ``KINEMA_ANTHROPIC_API_KEY`` is set.
"""

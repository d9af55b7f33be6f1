"""The caching edge: nginx in front of the stream route (see ``docs/edge.md``).

:mod:`kinema.edge.config` renders nginx's configuration from a template with validated
values; :mod:`kinema.edge.process` runs it next to ``kinema up``.
"""

"""The embedded worker pool: transcodes run by launching ``kinema transcode``.

The pool runs exactly the command a Kubernetes transcode Job runs, as a subprocess,
and reads its JSON progress lines; only the executor differs from the cluster.
"""

"""Recommendations from implicit feedback, pure: no database, no files, no clock.

``model`` fits EASE (a closed-form item-item model) or a popularity baseline on a
user-item matrix and ranks unseen items; ``metrics`` holds the offline evaluation
(temporal split, NDCG and recall); ``content`` builds TF-IDF vectors and reasons for
"More like this"; ``csvio`` reads and writes the ``kinema recommend`` files. The CLI,
the periodic training job and the benchmark all call :func:`model.fit` and
:meth:`model.Model.recommend`, so what is measured is what is served.
"""

"""Who the operator is to the cluster: its name and the well-known labels of what it makes.

Shared by every kind (a Job, a Rendition, an Event all say who manages them) and by the
cluster door, which signs its writes with the same name (``fieldManager``). Labels only
one kind uses stay with that kind (:mod:`kinema_operator.video.identity`).
"""

from __future__ import annotations

MANAGED_BY = "kinema-operator"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"

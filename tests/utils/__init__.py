"""Test helpers shared by every suite: the real-service harness (``procs`` runs a
service, ``binaries`` finds it, one module per service builds its command and knows
when it is ready) and factories other tests build on."""

from tests.utils.ports import free_port

__all__ = ["free_port"]

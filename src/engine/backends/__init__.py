"""Back ends by name: ``durable`` (durable-rules, Rete), ``vector`` (NumPy columns) and
``reference`` (plain Python, the semantics the other two are tested against)."""

from __future__ import annotations

from engine.backends.base import Backend


def available_backends() -> tuple[str, ...]:
    """Names accepted by :func:`get_backend`."""
    return ("durable", "vector", "reference")


def get_backend(name: str) -> Backend:
    """The back end called ``name``; raises ``KeyError`` naming the choices."""
    if name == "durable":
        from engine.backends.durable import DurableBackend

        return DurableBackend()
    if name == "vector":
        from engine.backends.vector import VectorBackend

        return VectorBackend()
    if name == "reference":
        from engine.backends.reference import ReferenceBackend

        return ReferenceBackend()
    msg = f"unknown back end {name!r} (choose one of {', '.join(available_backends())})"
    raise KeyError(msg)

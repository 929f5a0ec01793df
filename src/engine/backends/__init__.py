"""Back ends by name: ``durable`` (durable-rules, Rete), ``vector`` (NumPy columns),
``columnar`` (the whole plan over columns; as a matcher, typed column masks) and ``reference``
(plain Python, the semantics the others are tested against)."""

from __future__ import annotations

from engine.backends.base import Backend


def available_backends() -> tuple[str, ...]:
    """Names accepted by :func:`get_backend`."""
    return ("durable", "vector", "columnar", "reference")


def get_backend(name: str) -> Backend:
    """The back end called ``name``; raises ``KeyError`` naming the choices."""
    if name == "durable":
        from engine.backends.durable import DurableBackend

        return DurableBackend()
    if name == "vector":
        from engine.backends.vector import VectorBackend

        return VectorBackend()
    if name == "columnar":
        from engine.backends.columnar import ColumnarBackend

        return ColumnarBackend()
    if name == "reference":
        from engine.backends.reference import ReferenceBackend

        return ReferenceBackend()
    msg = f"unknown back end {name!r} (choose one of {', '.join(available_backends())})"
    raise KeyError(msg)

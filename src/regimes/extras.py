"""Optional dependency groups (extras), and the error that names the one a feature needs.

Why: ``import regimes`` needs only a small core (pydantic, durable-rules, ruamel.yaml, typer,
rich, python-dateutil). The HTTP service, Parquet and charts, and the distributed population run
pull large libraries, so they sit behind extras; a user who asks for one of those features without
its extra gets one line that says what to install, never a bare ``ModuleNotFoundError``.

====================  ===============================  ==========================================
extra                 pulls                            for
====================  ===============================  ==========================================
``service``           fastapi, uvicorn                 ``regimes serve``, :mod:`regimes.service`
``analyst``           numpy, pyarrow, matplotlib,      Parquet input, population diffs, charts,
                      jinja2                           the HTML report
``distributed``       dask                             the columnar back end over many workers
``dev``               all of the above, test tools     ``make test`` / ``make demo``
====================  ===============================  ==========================================
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

from regimes.errors import MissingExtraError

__all__ = ["EXTRAS", "require"]

#: The top-level modules each extra provides.
EXTRAS: Final = {
    "service": ("fastapi", "uvicorn"),
    "analyst": ("numpy", "pyarrow", "matplotlib", "jinja2"),
    "distributed": ("dask",),
}


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming ``extra`` and ``feature``.

    >>> require("json", "analyst", "reading JSON").__name__
    'json'
    >>> require("no_such_module_xyz", "analyst", "drawing charts")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    regimes.errors.MissingExtraError: drawing charts needs the 'analyst' extra: pip install ...
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        msg = (
            f"{feature} needs the {extra!r} extra: pip install 'regimes[{extra}]' "
            f"(no module named {missing!r})"
        )
        raise MissingExtraError(msg) from None

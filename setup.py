"""Build hook: the law travels inside the package.

Why a hook: the repository keeps the rulesets and the example cases at its top level
(``rulesets/``, ``examples/``: that layout is fixed, reviewers and ``regimes check`` read them
there), but a wheel installed elsewhere has no repository beside it. So every build of the
package copies both folders into ``regimes/_bundled/`` as package data, where
:func:`regimes.library.rulesets_dir` and :func:`regimes.demo.examples_dir` find them without any
environment variable. An editable install (``pip install -e .``) builds nothing: it reads the
repository's own folders. The sdist carries both folders (``MANIFEST.in``), so a wheel built from
the sdist gets them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Folders of the repository copied into the package, and the files of each that ship.
SHIPPED = {"rulesets": ("*.yaml",), "examples": ("*.json", "*.jsonl", "*.csv", "*.parquet", "*.md", "*.py")}


class BuildWithLaw(build_py):
    """``build_py`` that also copies ``rulesets/`` and ``examples/`` into ``regimes/_bundled/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's folders directly
        target = Path(self.build_lib) / "regimes" / "_bundled"
        for folder, patterns in SHIPPED.items():
            source = ROOT / folder
            if not source.is_dir():
                msg = f"cannot build regimes without its {folder}/ folder (looked in {source})"
                raise SystemExit(msg)
            for pattern in patterns:
                for path in sorted(source.rglob(pattern)):
                    if "__pycache__" in path.parts:
                        continue
                    dest = target / folder / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
        if not any((target / "rulesets").glob("*.yaml")):
            raise SystemExit("cannot build regimes: rulesets/ holds no ruleset")


setup(cmdclass={"build_py": BuildWithLaw})

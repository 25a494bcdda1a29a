"""The deployable archive of the five functions: ``build/functions.zip``.

``make package`` (``python -m rollcall_ops.package``) writes it; Terraform uploads that
very file (``infra/storage.tf``) under a name made of its MD5, so one definition of the
file set serves both: everything under ``functions/`` (``main.py``, ``requirements.txt``,
the ``rollcall`` package with its data files such as ``contracts.json``) except
:data:`EXCLUDED_DIRS`, :data:`EXCLUDED_SUFFIXES` and dot files. The archive is
byte-for-byte reproducible (sorted names, fixed times and modes), so the same source
gives the same object name and no new deployment.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import zipfile
from pathlib import Path

from rollcall_ops.topology import ROOT

SOURCE = ROOT / "functions"
ARCHIVE = ROOT / "build" / "functions.zip"
#: What never ships: caches and compiled files a local run leaves behind.
EXCLUDED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
#: Files the Cloud Run functions Python build needs at the archive's top level.
REQUIRED = ("main.py", "requirements.txt")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def files(source: Path = SOURCE) -> list[str]:
    """The archive's members: paths relative to ``source``, sorted."""
    found = []
    for folder, dirs, names in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not d.startswith("."))
        for name in names:
            if name.startswith(".") or name.endswith(EXCLUDED_SUFFIXES):
                continue
            found.append(Path(folder, name).relative_to(source).as_posix())
    missing = [r for r in REQUIRED if r not in found]
    if missing:
        raise FileNotFoundError(f"{source} has no {', '.join(missing)}")
    return sorted(found)


def build(dest: Path = ARCHIVE, source: Path = SOURCE) -> Path:
    """Write the archive (atomically) and return its path."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for rel in files(source):
            info = zipfile.ZipInfo(rel, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, (source / rel).read_bytes())
    partial.replace(dest)
    return dest


def digest(path: Path, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rollcall_ops.package", description=__doc__)
    p.add_argument("--output", type=Path, default=ARCHIVE)
    args = p.parse_args(argv)
    path = build(args.output)
    with zipfile.ZipFile(path) as z:
        count = len(z.namelist())
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"{shown}: {count} files, {path.stat().st_size} bytes, md5 {digest(path, 'md5')} "
        f"(Terraform uploads it as functions-<md5>.zip)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

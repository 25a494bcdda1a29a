"""Fixtures for the infrastructure checks (tests/infra).

The Google provider cannot be downloaded on the development machines, so `terraform
validate` and `plan` run in Cloud Build only. What runs here:

* ``hcl``: infra/*.tf parsed with python-hcl2, for structural invariants;
* ``tf_eval``: real Terraform evaluation of expressions over the module's variables and
  locals (those that do not reference resources), through ``terraform console`` in a
  scratch copy that needs no provider. It is how the tests learn which names a
  ``for_each`` would create from topology.yaml, without re-implementing Terraform.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2  # python-hcl2, a test requirement
import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"

_TOP_BLOCK = re.compile(r'^(locals|variable\s+"[^"]+")\s*\{\s*$')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RESOURCE_REF = re.compile(r"\b(google_[a-z0-9_]+|data|archive_[a-z0-9_]+)\.[a-z_]")


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass(frozen=True)
class Module:
    files: dict[str, dict[str, Any]]

    def blocks(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, parsed in self.files.items():
            for block in parsed.get(kind, []):
                yield name, block

    @property
    def resources(self) -> list[Resource]:
        out = []
        for file, block in self.blocks("resource"):
            for rtype, named in block.items():
                for rname, body in named.items():
                    out.append(Resource(rtype, rname, body, file))
        return out

    def resource(self, rtype: str, name: str) -> Resource:
        for r in self.resources:
            if r.type == rtype and r.name == name:
                return r
        raise KeyError(f"no resource {rtype}.{name} in infra/")

    def of_type(self, rtype: str) -> list[Resource]:
        return [r for r in self.resources if r.type == rtype]

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return {k: v for _, block in self.blocks("variable") for k, v in block.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return {k: v for _, block in self.blocks("output") for k, v in block.items()}

    @property
    def locals(self) -> dict[str, Any]:
        return {k: v for _, block in self.blocks("locals") for k, v in block.items()}


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block ``name`` of a resource body (hcl2 gives a list)."""
    found = body.get(name)
    assert isinstance(found, list) and len(found) == 1, f"expected one {name} block, got {found!r}"
    return found[0]


@pytest.fixture(scope="session")
def hcl() -> Module:
    opts = hcl2.SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True
    )
    files = {}
    for path in sorted(INFRA.glob("*.tf")):
        with path.open() as f:
            files[path.name] = hcl2.load(f, serialization_options=opts)
    return Module(files)


class TerraformError(Exception):
    pass


def _pure_blocks(text: str) -> list[str]:
    """Top-level ``locals`` and ``variable`` blocks of a formatted .tf file, keeping only
    those that reference no resource or data source (console has no state)."""
    blocks, current = [], None
    for line in text.splitlines():
        if current is None:
            if _TOP_BLOCK.match(line):
                current = [line]
        else:
            current.append(line)
            if line == "}":
                blocks.append(current)
                current = None
    pure = []
    for lines in blocks:
        code = "\n".join(ln for ln in lines if not ln.lstrip().startswith(("#", "//")))
        if not _RESOURCE_REF.search(code):
            pure.append("\n".join(lines))
    return pure


@pytest.fixture(scope="session")
def terraform() -> str:
    exe = shutil.which("terraform")
    if exe is None:
        pytest.skip("terraform is not on the PATH (cloudbuild.yaml installs it for the test step)")
    return exe


@pytest.fixture(scope="session")
def tf_env() -> dict[str, str]:
    return {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}


@pytest.fixture(scope="session")
def tf_eval(
    terraform: str, tf_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Any]:
    """``tf_eval(expr, **variables)``: the value of a Terraform expression in the
    module's variables and pure locals, as Python data (via jsonencode)."""
    scratch = tmp_path_factory.mktemp("tf-eval")
    module = scratch / "infra"
    module.mkdir()
    # Same layout as the repository, so "${path.module}/../firestore.rules" resolves.
    shutil.copy(INFRA / "topology.yaml", module / "topology.yaml")
    for name in ("firestore.indexes.json", "firestore.rules"):
        shutil.copy(ROOT / name, scratch / name)
    for path in sorted(INFRA.glob("*.tf")):
        pure = _pure_blocks(path.read_text())
        if pure:
            (module / path.name).write_text("\n\n".join(pure) + "\n")

    def evaluate(expr: str, **variables: Any) -> Any:
        variables.setdefault("project_id", "rollcall-test")
        args = [terraform, "console"]
        for key, value in variables.items():
            rendered = value if isinstance(value, str) else json.dumps(value)
            args.append(f"-var={key}={rendered}")
        proc = subprocess.run(
            args,
            input=f"jsonencode({expr})\n",
            capture_output=True,
            text=True,
            cwd=module,
            env=tf_env,
            timeout=60,
        )
        # Console reports a failed variable validation but still evaluates (exit 0).
        errors = _ANSI.sub("", proc.stderr)
        if proc.returncode != 0 or "Error:" in errors:
            raise TerraformError(errors or proc.stdout)
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        return json.loads(json.loads(lines[-1]))

    return evaluate


def tf_template(value: Any) -> str:
    """A string attribute as hcl2 gives it, back as an HCL expression. A template made
    of a single interpolation evaluates to that expression's value, unconverted."""
    assert isinstance(value, str), value
    return '"' + value + '"'


def per_instance(resource: Resource, attribute_exprs: dict[str, Any]) -> str:
    """An HCL expression: ``{each.key => {attr = value}}`` over the resource's for_each,
    for attributes that reference no resources."""
    assert "for_each" in resource.body, f"{resource.address} has no for_each"
    fields = ", ".join(f"{k} = {tf_template(v)}" for k, v in attribute_exprs.items())
    body = "{" + fields + "}"
    body = re.sub(r"\beach\.key\b", "__k", body)
    body = re.sub(r"\beach\.value\b", "__v", body)
    return f"{{for __k, __v in {tf_template(resource.body['for_each'])} : __k => {body}}}"

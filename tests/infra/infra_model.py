"""infra/ as data for the tests: the HCL parsed with python-hcl2, and helpers that turn
its expressions back into HCL for Terraform to evaluate (the ``tf_eval`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2  # python-hcl2, a test requirement

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"

_TOP_BLOCK = re.compile(r'^(locals|variable\s+"[^"]+")\s*\{\s*$')
_RESOURCE_REF = re.compile(r"\b(google_[a-z0-9_]+|data|archive_[a-z0-9_]+)\.[a-z_]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class TerraformError(Exception):
    """Terraform refused an expression or a variable value."""


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
            for found in parsed.get(kind, []):
                yield name, found

    @property
    def resources(self) -> list[Resource]:
        out = []
        for file, found in self.blocks("resource"):
            for rtype, named in found.items():
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
        return {k: v for _, found in self.blocks("variable") for k, v in found.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return {k: v for _, found in self.blocks("output") for k, v in found.items()}

    @property
    def locals(self) -> dict[str, Any]:
        return {k: v for _, found in self.blocks("locals") for k, v in found.items()}


def load_module(directory: Path = INFRA) -> Module:
    opts = hcl2.SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True
    )
    files = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open() as f:
            files[path.name] = hcl2.load(f, serialization_options=opts)
    return Module(files)


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block ``name`` of a resource body (hcl2 gives a list)."""
    found = body.get(name)
    assert isinstance(found, list) and len(found) == 1, f"expected one {name} block, got {found!r}"
    return found[0]


def pure_blocks(text: str) -> list[str]:
    """Top-level ``locals`` and ``variable`` blocks of a formatted .tf file, keeping only
    those that reference no resource or data source (the console has no state)."""
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


def tf_template(value: Any) -> str:
    """A string attribute as hcl2 gives it, back as an HCL expression. A template made
    of a single interpolation evaluates to that expression's value, unconverted."""
    assert isinstance(value, str), value
    return '"' + value + '"'


def per_instance(resource: Resource, attribute_exprs: dict[str, Any]) -> str:
    """An HCL expression ``{each.key => {attr = value}}`` over the resource's for_each,
    for attributes that reference no resources."""
    assert "for_each" in resource.body, f"{resource.address} has no for_each"
    fields = ", ".join(f"{k} = {tf_template(v)}" for k, v in attribute_exprs.items())
    body = "{" + fields + "}"
    body = re.sub(r"\beach\.key\b", "__k", body)
    body = re.sub(r"\beach\.value\b", "__v", body)
    return f"{{for __k, __v in {tf_template(resource.body['for_each'])} : __k => {body}}}"

"""Fixtures for the infrastructure checks (tests/infra).

The Google provider cannot be downloaded on the development machines, so `terraform
validate` and `plan` run in Cloud Build only. What runs here:

* ``hcl``: infra/*.tf parsed with python-hcl2, for structural invariants;
* ``tf_eval``: real Terraform evaluation of expressions over the module's variables and
  the locals that reference no resources, through ``terraform console`` in a scratch
  copy that needs no provider. It is how the tests learn which names a ``for_each``
  creates from topology.yaml without re-implementing Terraform.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from infra_model import ANSI, INFRA, ROOT, Module, TerraformError, load_module, pure_blocks


@pytest.fixture(scope="session")
def hcl() -> Module:
    return load_module()


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
    """``tf_eval(expr, **variables)``: the value of a Terraform expression over the
    module's variables and pure locals, as Python data (via jsonencode). Raises
    TerraformError when Terraform refuses it, e.g. a variable failing validation."""
    scratch = tmp_path_factory.mktemp("tf-eval")
    module = scratch / "infra"
    module.mkdir()
    # The repository's layout, so that "${path.module}/../firestore.rules" resolves.
    shutil.copy(INFRA / "topology.yaml", module / "topology.yaml")
    for name in ("firestore.indexes.json", "firestore.rules"):
        shutil.copy(ROOT / name, scratch / name)
    for path in sorted(INFRA.glob("*.tf")):
        pure = pure_blocks(path.read_text())
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
        # The console reports a failed variable validation but still evaluates (exit 0).
        errors = ANSI.sub("", proc.stderr)
        if proc.returncode != 0 or "Error:" in errors:
            raise TerraformError(errors or proc.stdout)
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        return json.loads(json.loads(lines[-1]))

    return evaluate

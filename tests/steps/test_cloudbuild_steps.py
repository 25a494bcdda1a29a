"""cloudbuild.yaml's steps as Cloud Build runs them (decision 0020): each step that
needs no cloud in a fresh Debian 12 root standing in for the CI image, with nothing
carried over from the steps before but /workspace (rollcall_ops.cloudbuild_local).

The `test` step (`make check`) runs its whole install chain, lint and the web tests in
the root, but only part of the pytest suites (the unit tests, the structure of this
build, and on a stack started inside the root the packaged archive's smoke test and
`doctor`): `make check` itself runs all of them on this machine just before.
ROLLCALL_STEPS_FULL=1 runs every suite in the root too (about 20 minutes more)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from rollcall_ops import cloudbuild_local, package
from rollcall_ops.topology import ROOT
from tests.conftest import TEST_PORT_OFFSET

#: Steps that need no cloud, in order; the rest need a project, credentials or
#: provider downloads (terraform init reaches registry.terraform.io).
NO_CLOUD = ["lint", "test", "package"]
CLOUD = ["init", "validate", "plan", "apply", "deploy-hosting"]
NESTED_SUITES = " ".join(
    [
        "tests/unit",
        "tests/infra/test_cloudbuild.py",
        "tests/emulator/test_package_smoke.py",
        "tests/emulator/test_doctor.py",
    ]
)


def _can_run() -> str | None:
    if os.geteuid() != 0:
        return "needs root (mounts and chroot)"
    for tool in ("unshare", "chroot", "debootstrap", "gcloud", "terraform"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is missing (`make test-steps` installs debootstrap)"
    if os.environ.get("ROLLCALL_IN_STEP"):
        return "already inside a step"
    return None


pytestmark = pytest.mark.skipif(_can_run() is not None, reason=_can_run() or "")


def test_every_step_is_run_here_or_needs_the_cloud():
    build = cloudbuild_local.load()
    assert [s.id for s in build.steps] == NO_CLOUD + CLOUD


def test_a_tool_one_step_installs_is_gone_in_the_next(tmp_path):
    """The mechanism of yesterday's failure: `install` apt-installed python3-venv, the
    `package` step ran `python3 -m venv` in a fresh container of the image and failed.
    Only /workspace carries over; /tmp and HOME are new in every step."""
    config = tmp_path / "cloudbuild.yaml"
    config.write_text(
        textwrap.dedent(
            """\
            substitutions:
              _CI_IMAGE: gcr.io/google.com/cloudsdktool/google-cloud-cli:528.0.0-emulators
            steps:
              - id: install
                name: ${_CI_IMAGE}
                entrypoint: bash
                args:
                  - -euc
                  - |
                    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
                    python3 -m venv /workspace/.venv
                    touch /tmp/left-in-tmp "$$HOME/left-in-home" /workspace/left-in-workspace
              - id: uses-the-workspace
                name: ${_CI_IMAGE}
                entrypoint: bash
                args:
                  - -euc
                  - |
                    test -e /workspace/left-in-workspace && .venv/bin/python -c 'print(1)'
                    test ! -e /tmp/left-in-tmp && test ! -e "$$HOME/left-in-home"
              - id: package
                name: ${_CI_IMAGE}
                entrypoint: bash
                args: [-euc, python3 -m venv /tmp/deploy-venv]
            """
        )
    )
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    build = cloudbuild_local.load(config)

    result = cloudbuild_local.run(build, ["install", "uses-the-workspace"], workspace)
    assert result.ok, result.ran
    result = cloudbuild_local.run(build, ["package"], workspace, only=True)
    assert result.failed() == "package"


def test_the_package_step_of_the_build_before_decision_0020_fails_here(tmp_path, capfd):
    """The issue's failure, kept: the old file's `package` step (tests/data), run as
    Cloud Build runs it, fails at its first line, as it did on every fresh project.
    (Its `install` step fetched Node and Terraform from outside the registries, which
    cannot run here; `package` failed before using anything of it.)"""
    old = cloudbuild_local.load(ROOT / "tests" / "data" / "cloudbuild.before-0020.yaml")
    workspace = cloudbuild_local.make_workspace(tmp_path / "workspace")

    result = cloudbuild_local.run(old, ["package"], workspace, only=True)

    assert result.failed() == "package"
    said = " ".join(capfd.readouterr().out.split())
    assert "ensurepip is not available" in said and "python3-venv" in said


def test_the_steps_that_need_no_cloud_pass_as_cloud_build_runs_them(tmp_path):
    workspace = cloudbuild_local.make_workspace(tmp_path / "workspace")
    env = {
        "ROLLCALL_IN_STEP": "1",
        "ROLLCALL_TEST_PORT_OFFSET": str(TEST_PORT_OFFSET + 2000),
    }
    if not os.environ.get("ROLLCALL_STEPS_FULL"):
        env["PYTEST_SUITES"] = NESTED_SUITES
    build = cloudbuild_local.load()

    result = cloudbuild_local.run(build, NO_CLOUD, workspace, env=env)

    assert result.ok, f"step {result.failed()} failed: {result.ran}"
    assert [sid for sid, _, _ in result.ran] == NO_CLOUD
    shipped = workspace / "build" / "functions.zip"
    assert shipped.read_bytes() == package.build(tmp_path / "here.zip").read_bytes()
    subprocess.run(["rm", "-rf", str(workspace)], check=False)

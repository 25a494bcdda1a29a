"""Structure of cloudbuild.yaml: the steps, their order and gating, and substitutions
that are all declared, used and documented (Cloud Build rejects an unknown one)."""

from __future__ import annotations

import re

import pytest
import yaml
from infra_model import ROOT

CLOUDBUILD = ROOT / "cloudbuild.yaml"
MAKEFILE = ROOT / "Makefile"
PIPELINE = [
    "lint",
    "test",
    "package",
    "init",
    "validate",
    "plan",
    "apply",
    "deploy-hosting",
]
#: The make target of each step: the same targets `make test` runs (decision 0020).
TARGETS = {
    "lint": "lint",
    "test": "check",
    "package": "package",
    "init": "tf-init",
    "validate": "tf-validate",
    "plan": "tf-plan",
    "apply": "tf-apply",
    "deploy-hosting": "deploy-hosting",
}
BUILT_IN = {
    "PROJECT_ID",
    "PROJECT_NUMBER",
    "BUILD_ID",
    "LOCATION",
    "TRIGGER_NAME",
    "COMMIT_SHA",
    "SHORT_SHA",
    "REVISION_ID",
    "REPO_NAME",
    "REPO_FULL_NAME",
    "BRANCH_NAME",
    "TAG_NAME",
    "REF_NAME",
    "TRIGGER_BUILD_CONFIG_PATH",
    "SERVICE_ACCOUNT_EMAIL",
    "SERVICE_ACCOUNT",
}
# $NAME or ${NAME} not preceded by another $ ($$NAME is the shell's, left alone).
SUBSTITUTION = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


@pytest.fixture(scope="module")
def build() -> dict:
    return yaml.safe_load(CLOUDBUILD.read_text())


@pytest.fixture(scope="module")
def steps(build) -> dict[str, dict]:
    return {s["id"]: s for s in build["steps"]}


def _used(build) -> set[str]:
    text = "".join(yaml.safe_dump(build.get(k, {})) for k in ("steps", "options", "artifacts"))
    return {a or b for a, b in SUBSTITUTION.findall(text)}


def _makefile_default(name: str) -> str:
    match = re.search(rf"^{name}\s*\?=\s*(\S+)\s*$", MAKEFILE.read_text(), re.M)
    assert match, f"no `{name} ?=` in the Makefile"
    return match.group(1)


def test_every_step_has_a_unique_id(build):
    ids = [s.get("id") for s in build["steps"]]
    assert all(ids), "a step without id"
    assert len(ids) == len(set(ids))


def test_pipeline_steps_run_in_order(build):
    ids = [s["id"] for s in build["steps"]]
    assert ids == PIPELINE
    assert all("waitFor" not in s for s in build["steps"]), "each step needs the ones before"


def test_every_step_is_one_make_target_in_the_ci_image(build, steps):
    targets = set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE.read_text(), re.M))
    for step_id, step in steps.items():
        assert step["name"] == "${_CI_IMAGE}", step_id
        assert step["entrypoint"] == "bash", step_id
        assert step["args"] == ["tools/ci/make", TARGETS[step_id]], step_id
        assert TARGETS[step_id] in targets, step_id
    assert "latest" not in build["substitutions"]["_CI_IMAGE"]


def test_make_test_runs_what_the_test_step_runs():
    test = re.search(r"^test: (.*?)##", MAKEFILE.read_text(), re.M)
    assert test and "check" in test.group(1).split()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_the_build_pins_the_makefiles_toolchain(build):
    subs = build["substitutions"]
    assert subs["_TF_VERSION"] == _makefile_default("TF_VERSION")
    assert subs["_NODE_VERSION"] == _makefile_default("NODE_VERSION")
    assert int(subs["_NODE_VERSION"].split(".")[0]) % 2 == 0, "an LTS line"
    assert int(subs["_NODE_VERSION"].split(".")[0]) >= 22, "Node 20 is past its end of life"
    assert set(build["options"]["env"]) == {
        "NODE_VERSION=${_NODE_VERSION}",
        "TF_VERSION=${_TF_VERSION}",
    }


def test_the_provider_lock_file_is_kept_as_an_artifact(build):
    objects = build["artifacts"]["objects"]
    assert objects["paths"] == ["infra/.terraform.lock.hcl"]
    assert objects["location"].startswith("gs://${_TF_STATE_BUCKET}/")


def test_substitutions_are_declared_and_used(build):
    declared = set(build["substitutions"])
    used = _used(build)

    assert all(name.startswith("_") for name in declared)
    assert {u for u in used if u.startswith("_")} == declared
    unknown = {u for u in used if not u.startswith("_")} - BUILT_IN
    assert not unknown, f"write shell variables as $${unknown}: Cloud Build substitutes $NAME"


def test_every_substitution_is_documented_in_the_header(build):
    header = CLOUDBUILD.read_text().split("\nsubstitutions:", 1)[0]
    for name in build["substitutions"]:
        assert re.search(rf"^#\s+{name}\s+\S", header, re.M), f"{name} is not documented"
    for name in _used(build) - set(build["substitutions"]):
        assert name in header, f"built-in {name} is used but not mentioned in the header"

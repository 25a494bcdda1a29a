"""Structure of cloudbuild.yaml: the steps, their order and gating, and substitutions
that are all declared, used and documented (Cloud Build rejects an unknown one)."""

from __future__ import annotations

import re

import pytest
import yaml
from infra_model import ROOT

CLOUDBUILD = ROOT / "cloudbuild.yaml"
PIPELINE = [
    "install",
    "lint",
    "test",
    "package",
    "init",
    "validate",
    "plan",
    "apply",
    "deploy-hosting",
]
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


def _script(step: dict) -> str:
    return "\n".join(str(a) for a in step.get("args", []))


def _used(build) -> set[str]:
    text = yaml.safe_dump(build["steps"]) + yaml.safe_dump(build.get("options", {}))
    return {a or b for a, b in SUBSTITUTION.findall(text)}


def test_every_step_has_a_unique_id(build):
    ids = [s.get("id") for s in build["steps"]]
    assert all(ids), "a step without id"
    assert len(ids) == len(set(ids))


def test_pipeline_steps_run_in_order(build):
    ids = [s["id"] for s in build["steps"]]
    assert [i for i in ids if i in PIPELINE] == PIPELINE


def test_test_step_runs_make_test(steps):
    assert re.search(r"^\s*make test\s*$", _script(steps["test"]), re.M)


def test_terraform_runs_in_infra_with_a_pinned_terraform(build, steps):
    version = build["substitutions"]["_TF_VERSION"]
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version)
    for step_id in ("init", "validate", "plan", "apply"):
        assert steps[step_id]["name"] == "hashicorp/terraform:${_TF_VERSION}", step_id
        assert steps[step_id]["dir"] == "infra", step_id
    assert "latest" not in build["substitutions"]["_CI_IMAGE"]


def test_plan_is_saved_and_apply_applies_exactly_that_plan(steps):
    assert "-out=tfplan" in _script(steps["plan"])
    assert "validate" in steps["validate"]["args"]
    assert re.search(r"terraform apply .*tfplan", _script(steps["apply"]))


@pytest.mark.parametrize("step_id", ["apply", "deploy-hosting"])
def test_changes_to_the_project_are_gated_by_apply(build, steps, step_id):
    script = _script(steps[step_id])
    gate = script.index('if [ "${_APPLY}" != "true" ]; then')
    stop = script.index("exit 0", gate)
    action = "terraform apply" if step_id == "apply" else "firebase deploy --only hosting"
    assert stop < script.index(action)
    assert build["substitutions"]["_APPLY"] == "false", (
        "a build that is not asked to apply must not"
    )


def test_hosting_is_deployed_to_the_site_terraform_created(steps):
    script = _script(steps["deploy-hosting"])
    assert "output -raw hosting_site_id" in script
    assert "--only hosting" in script


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

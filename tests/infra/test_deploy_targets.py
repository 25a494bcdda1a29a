"""The deploy's shell code, run here with stand-ins for what needs a cloud: the make
targets of cloudbuild.yaml's cloud steps with a fake ``terraform`` (and ``firebase``)
that records its arguments, ``_TF_EXTRA_ARGS`` from gcloud's own parser of
``--substitutions`` through Cloud Build's substitution into ``make tf-plan``, and
docs/deploying.md's walk-through from zero, every block, with fake ``gcloud``, ``git``
and ``rollcall`` (nothing reaches Google Cloud; the real gcloud parses each gcloud
command first, without an account, so a wrong command or flag fails the test)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from infra_model import ROOT

from rollcall_ops import cloudbuild_local, package

SDK_LIB = Path(os.path.realpath(os.popen("command -v gcloud").read().strip() or "/x")).parents[1]
DOCS = ROOT / "docs" / "deploying.md"
WEB_CONFIG = {
    "firebase": {"apiKey": "k", "projectId": "p-1", "appId": "1:2:web:3", "authDomain": "a"},
    "scanUrl": "https://scan-abc-ew.a.run.app",
    "emulators": None,
}

FAKE_TERRAFORM = """\
#!{python}
import json, os, sys
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"tool": "terraform", "argv": sys.argv[1:]}}) + "\\n")
if sys.argv[1:4] == ["-chdir=infra", "output", "-raw"]:
    print({{"web_runtime_config": {config!r}, "hosting_site_id": "p-1"}}[sys.argv[4]], end="")
"""

FAKE_TOOL = """\
#!{python}
import json, os, sys
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"tool": {name!r}, "argv": sys.argv[1:]}}) + "\\n")
"""

# `gcloud builds submit`: gcloud's own parser of --substitutions, then what Cloud Build
# does with cloudbuild.yaml (rollcall_ops.cloudbuild_local: substitution into each
# step's environment), then the cloud steps' make targets, here, with fake terraform.
FAKE_GCLOUD = """\
#!{python}
import argparse, json, os, subprocess, sys
from rollcall_ops import cloudbuild_local
sys.path += [{sdk!r} + "/lib", {sdk!r} + "/lib/third_party"]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"tool": "gcloud", "argv": sys.argv[1:]}}) + "\\n")
# The real gcloud parses the command first, with a configuration of its own and no
# account: a wrong command or flag exits 2; a right one stops at the missing account.
real = subprocess.run(
    [{sdk!r} + "/bin/gcloud", *sys.argv[1:]],
    env={{**os.environ, "CLOUDSDK_CONFIG": os.environ["FAKE_GCLOUD_CONFIG"],
         "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
         "PATH": os.environ["PATH"].replace(os.path.dirname(sys.argv[0]) + ":", "")}},
    capture_output=True, text=True, timeout=120,
)
if real.returncode not in (0, 1) or "unrecognized arguments" in real.stderr:
    sys.exit("gcloud refused the command: " + real.stderr)
if sys.argv[1:3] != ["builds", "submit"]:
    sys.exit(0)
from googlecloudsdk.calliope import arg_parsers
p = argparse.ArgumentParser()
p.add_argument("--config", required=True)
p.add_argument("--service-account")
p.add_argument("--substitutions", type=arg_parsers.ArgDict(), default={{}})
args = p.parse_args(sys.argv[3:])
project = os.environ["FAKE_PROJECT"]
build = cloudbuild_local.load(
    __import__("pathlib").Path(args.config), dict(args.substitutions), {{"PROJECT_ID": project}}
)
for step_id in ("init", "validate", "plan", "apply"):
    step = build.step(step_id)
    env = dict(os.environ)
    for item in (*build.env, *step.env):
        key, _, value = item.partition("=")
        env[key] = value
    subprocess.run(["make", "--no-print-directory", step.args[-1]], env=env, check=True)
"""


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    """A bin folder of fakes first on the PATH; what they were called with."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.jsonl"
    log.touch()
    sdk = str(SDK_LIB)
    scripts = {
        "terraform": FAKE_TERRAFORM.format(python=sys.executable, config=json.dumps(WEB_CONFIG)),
        "gcloud": FAKE_GCLOUD.format(python=sys.executable, sdk=sdk),
    }
    for name in ("git", "firebase", "rollcall"):
        scripts[name] = FAKE_TOOL.format(python=sys.executable, name=name)
    for name, text in scripts.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))
    (tmp_path / "gcloud-config").mkdir()
    monkeypatch.setenv("FAKE_GCLOUD_CONFIG", str(tmp_path / "gcloud-config"))
    monkeypatch.setenv("TERRAFORM", str(bin_dir / "terraform"))
    monkeypatch.setenv("FIREBASE", str(bin_dir / "firebase"))
    monkeypatch.setenv("ROLLCALL", str(bin_dir / "rollcall"))
    for key in ("TF_EXTRA_ARGS", "PROJECT_ID", "APPLY", "HOSTING_SITE", "REGION"):
        monkeypatch.delenv(key, raising=False)

    def calls(tool: str | None = None) -> list[list[str]]:
        rows = [json.loads(line) for line in log.read_text().splitlines()]
        return [r["argv"] for r in rows if tool is None or r["tool"] == tool]

    calls.bin = bin_dir  # type: ignore[attr-defined]
    return calls


@pytest.fixture
def archive():
    package.build()


@pytest.fixture
def keep_web_config():
    """deploy-hosting rewrites web/dist/rollcall-config.json: put the local one back."""
    path = ROOT / "web" / "dist" / "rollcall-config.json"
    saved = path.read_bytes() if path.exists() else None
    yield
    if saved is not None:
        path.write_bytes(saved)


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _vars(argv: list[str]) -> dict[str, str]:
    out = {}
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag == "-var":
            name, _, val = value.partition("=")
            out[name] = val
    return out


#: A web push public key of the right shape (87 base64url characters).
VAPID = (
    "BElF3aXrS0mzZ2Qm2gzT3bHk4uVqJq6Vt1Qx9yWc8Zp7Lk2Nn5Rr3Ss1Tt0Uu9Vv8Ww7Xx6Yy5Zz4Aa3Bb2Cc1Dd0Ee"
)

# The examples of docs/deploying.md and cloudbuild.yaml's header, as _TF_EXTRA_ARGS.
EXAMPLES = {
    "a list value": (
        "-var 'alert_notification_channels=[\"projects/p/notificationChannels/1\"]'",
        {"alert_notification_channels": ["projects/p/notificationChannels/1"]},
    ),
    "a map with commas": (
        '-var \'sign_in_with_google={client_id="123-abc.apps.googleusercontent.com", '
        'client_secret_secret="rollcall-google-oauth"}\'',
        {
            "sign_in_with_google": {
                "client_id": "123-abc.apps.googleusercontent.com",
                "client_secret_secret": "rollcall-google-oauth",
            }
        },
    ),
    "two variables, one unquoted": (
        "-var web_push_vapid_key=" + VAPID + ' -var \'web_origins=["https://a.example", '
        '"https://b.example"]\'',
        {"web_push_vapid_key": VAPID, "web_origins": ["https://a.example", "https://b.example"]},
    ),
}


@pytest.mark.parametrize("example", list(EXAMPLES), ids=list(EXAMPLES))
def test_tf_extra_args_reach_terraform_as_written(fakes, archive, tf_eval, example):
    extra, expected = EXAMPLES[example]
    proc = make("tf-plan", env={"PROJECT_ID": "p-1", "TF_EXTRA_ARGS": extra})
    assert proc.returncode == 0, proc.stderr

    (argv,) = fakes("terraform")
    assert argv[:5] == ["-chdir=infra", "plan", "-input=false", "-out=tfplan", "-var"]
    given = _vars(argv)
    assert given["project_id"] == "p-1" and given["region"] == "europe-west1"
    for name, value in expected.items():
        # What Terraform makes of that -var, with the variable's type and validation.
        assert tf_eval(f"var.{name}", **{name: given[name]}) == value, given[name]


def test_tf_extra_args_with_an_unbalanced_quote_stop_the_plan(fakes, archive):
    proc = make("tf-plan", env={"PROJECT_ID": "p-1", "TF_EXTRA_ARGS": "-var 'x=[1]"})
    assert proc.returncode != 0
    assert "No closing quotation" in proc.stderr
    assert fakes("terraform") == []


def test_tf_extra_args_are_never_run_as_shell(fakes, archive, tmp_path):
    marker = tmp_path / "pwned"
    extra = f"-var x=$(touch {marker}) -var y=`touch {marker}`; touch {marker}"
    proc = make("tf-plan", env={"PROJECT_ID": "p-1", "TF_EXTRA_ARGS": extra})
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    given = _vars(fakes("terraform")[0])
    assert given["x"] == "$(touch"  # shell words, taken literally
    assert given["y"] == "`touch"


def test_the_plan_needs_the_packaged_archive(fakes, tmp_path):
    archive = ROOT / "build" / "functions.zip"
    moved = tmp_path / "functions.zip"
    if archive.exists():
        archive.rename(moved)
    try:
        proc = make("tf-plan", env={"PROJECT_ID": "p-1"})
    finally:
        if moved.exists():
            moved.rename(archive)
    assert proc.returncode == 2 and "make package first" in proc.stderr


@pytest.mark.parametrize("apply", ["false", "", "yes"])
def test_apply_and_hosting_do_nothing_unless_apply_is_true(fakes, apply):
    for target in ("tf-apply", "deploy-hosting"):
        proc = make(target, env={"APPLY": apply, "PROJECT_ID": "p-1"})
        assert proc.returncode == 0, proc.stderr
        assert "not 'true'" in proc.stdout
    assert fakes() == []


def test_apply_applies_the_saved_plan(fakes):
    assert make("tf-apply", env={"APPLY": "true"}).returncode == 0
    assert fakes("terraform") == [
        ["-chdir=infra", "apply", "-input=false", "-auto-approve", "tfplan"]
    ]


def test_deploy_hosting_writes_the_runtime_config_and_deploys_to_the_site(fakes, keep_web_config):
    proc = make("deploy-hosting", env={"APPLY": "true", "PROJECT_ID": "p-1"})
    assert proc.returncode == 0, proc.stderr

    served = json.loads((ROOT / "web" / "dist" / "rollcall-config.json").read_text())
    assert served == WEB_CONFIG
    assert json.loads((ROOT / "firebase.ci.json").read_text())["hosting"]["site"] == "p-1"
    (deploy,) = fakes("firebase")
    assert deploy[:3] == ["deploy", "--only", "hosting"]
    assert deploy[deploy.index("--project") + 1] == "p-1"


def test_destroy_needs_the_project_named_twice(fakes, archive):
    proc = make("tf-destroy", env={"PROJECT_ID": "p-1"})
    assert proc.returncode == 2 and "CONFIRM=p-1" in proc.stderr
    assert fakes("terraform") == []

    assert make("tf-destroy", env={"PROJECT_ID": "p-1", "CONFIRM": "p-1"}).returncode == 0
    applied, destroyed = fakes("terraform")
    assert applied[:2] == ["-chdir=infra", "apply"] and destroyed[:2] == ["-chdir=infra", "destroy"]
    for argv in (applied, destroyed):
        assert _vars(argv)["firestore_delete_protection"] == "false"


# -- docs/deploying.md ------------------------------------------------------------------


def _blocks(section: str) -> list[str]:
    text = DOCS.read_text()
    start = text.index(section)
    end = text.find("\n## ", start + len(section))
    part = text[start : end if end > 0 else None]
    return re.findall(r"```sh\n(.*?)```", part, re.S)


def _header_roles() -> set[str]:
    header = (ROOT / "cloudbuild.yaml").read_text().split("\nsubstitutions:", 1)[0]
    listed = header.split("or all of:", 1)[1].split("\n#\n", 1)[0]
    return {r.split(" ")[0] for r in re.findall(r"[a-z]+\.[a-zA-Z.]+(?: \(only[^)]*\))?", listed)}


def test_the_walk_through_from_zero_runs_as_written(fakes, keep_web_config, tf_eval):
    """Every block of "Deploy from zero" and "By hand", in order, in one shell: the
    commands as written (only `.venv/bin/rollcall` swapped for the fake), with gcloud's
    substitutions reaching the plan's terraform through cloudbuild.yaml."""
    blocks = _blocks("## Deploy from zero") + _blocks("## By hand")
    script = "set -euo pipefail\n" + "\n".join(blocks)
    script = script.replace(".venv/bin/rollcall", shlex.quote(str(fakes.bin / "rollcall")))
    env = {**os.environ, "FAKE_PROJECT": "my-rollcall"}
    proc = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    gcloud = fakes("gcloud")
    granted = {
        a.split("=", 1)[1].removeprefix("roles/")
        for argv in gcloud
        if argv[:2] == ["projects", "add-iam-policy-binding"]
        for a in argv
        if a.startswith("--role=")
    }
    assert granted == _header_roles() - {"secretmanager.secretAccessor"}
    deployer = "rollcall-deploy@my-rollcall.iam.gserviceaccount.com"
    submits = [a for a in gcloud if a[:2] == ["builds", "submit"]]
    assert len(submits) == 3
    for argv in submits:
        assert f"--service-account=projects/my-rollcall/serviceAccounts/{deployer}" in argv
    assert gcloud[[a[:3] for a in gcloud].index(["storage", "buckets", "create"])][:4] == [
        "storage",
        "buckets",
        "create",
        "gs://my-rollcall-tfstate",
    ]

    plans = [a for a in fakes("terraform") if a[1:2] == ["plan"]]
    assert len(plans) == 4  # three builds and the block by hand
    last_build = _vars(plans[2])
    for name, value in {
        "alert_notification_channels": ["projects/my-rollcall/notificationChannels/123"],
        "web_origins": ["https://rollcall.example.edu"],
    }.items():
        assert tf_eval(f"var.{name}", **{name: last_build[name]}) == value
    inits = [a for a in fakes("terraform") if a[1:2] == ["init"]]
    assert all("-backend-config=bucket=my-rollcall-tfstate" in a for a in inits)
    assert [a for a in fakes("rollcall")] == [
        ["--project", "my-rollcall", "admin", "grant", "registrar@college.example"],
        ["--project", "my-rollcall", "doctor"],
    ]
    destroyed = [a for a in fakes("terraform") if a[1:2] == ["destroy"]]
    assert len(destroyed) == 1


def test_the_sign_in_example_reaches_terraform_as_a_map(fakes, tf_eval):
    (block,) = _blocks("## Sign-in with Google and web push")
    script = "set -euo pipefail\nPROJECT=p-1\nDEPLOYER=d@p-1.iam.gserviceaccount.com\n" + block
    env = {**os.environ, "FAKE_PROJECT": "p-1"}
    package.build()
    proc = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (plan,) = [a for a in fakes("terraform") if a[1:2] == ["plan"]]
    given = _vars(plan)
    assert tf_eval("var.sign_in_with_google", sign_in_with_google=given["sign_in_with_google"]) == {
        "client_id": "123456789-abcdef.apps.googleusercontent.com",
        "client_secret_secret": "rollcall-google-oauth",
    }
    key = given["web_push_vapid_key"]
    assert tf_eval("var.web_push_vapid_key", web_push_vapid_key=key) == key


def test_the_lock_file_block_fetches_the_builds_artifact(fakes):
    (block,) = [b for b in _blocks("### The provider lock file") if "gcloud storage cp" in b]
    script = "set -euo pipefail\nPROJECT=p-1\n" + block
    proc = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    build = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())
    location = build["artifacts"]["objects"]["location"]
    expected = cloudbuild_local.substitute(
        location,
        {"_TF_STATE_BUCKET": "p-1-tfstate", "_TF_STATE_PREFIX": "rollcall", "BUILD_ID": "BUILD_ID"},
    )
    (cp,) = fakes("gcloud")
    assert cp[:3] == ["storage", "cp", expected + ".terraform.lock.hcl"]
    assert fakes("git")[0] == ["add", "infra/.terraform.lock.hcl"]


def test_doc_commands_in_the_readme_point_to_the_deploy_page():
    readme = (ROOT / "README.md").read_text()
    assert "docs/deploying.md" in readme
    assert len(readme.splitlines()) < 250

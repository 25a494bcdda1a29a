"""Run the steps of ``cloudbuild.yaml`` here the way Cloud Build runs them
(decision 0020): each step in a fresh root file system of its own, with nothing carried
over from the steps before but ``/workspace``.

``python -m rollcall_ops.cloudbuild_local [--config FILE] [--steps ID ...] [--only]``

* **The image.** ``${_CI_IMAGE}`` (Google's ``google-cloud-cli:<v>-emulators``: Debian
  with curl, python3, python3-crcmod, bash, a Java runtime and the SDK in
  ``/google-cloud-sdk``; no make, no python3-venv, no Node) is stood in for by a Debian
  12 root made with ``debootstrap`` from Debian's packages once and cached
  (``ROLLCALL_CI_ROOT_CACHE``, default ``/var/cache/rollcall/ci-root``), with this
  machine's Google Cloud SDK (the same 528 release, with both emulators) mounted
  read-only at ``/google-cloud-sdk``. Steps of any other image are refused.
* **A step.** A new mount and PID namespace; an overlay over the cached root (so every
  step starts from the pristine image and what it installs is gone afterwards); the
  workspace bind-mounted at ``/workspace``; a fresh ``/tmp`` and ``HOME``; then the
  step's ``entrypoint`` and ``args`` after Cloud Build's substitutions (``$$`` for a
  literal ``$``), in ``/workspace/<dir>``, with its ``env``. Processes a step leaves
  behind die with its PID namespace, as with a container.
* **The workspace** starts as what ``gcloud builds submit`` uploads: the files git does
  not ignore, without ``.git``.
* **Order.** Steps run one at a time in file order; ``--steps`` runs the named ones and
  the steps they wait for (``waitFor``, or every earlier step without it); ``--only``
  runs the named ones alone.

What differs from Cloud Build, on purpose: this machine's network settings come along
(its CA bundle, ``PIP_CERT``, ``NODE_EXTRA_CA_CERTS``), and downloads from outside the
package registries that steps make (Terraform's release zip) are served from a local
file named by ``TF_DOWNLOAD``. See decision 0020 for what this cannot see.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rollcall_ops.topology import ROOT

CONFIG = ROOT / "cloudbuild.yaml"

#: The Debian root standing in for the CI image (what its Dockerfile installs, in
#: GoogleCloudPlatform/cloud-sdk-docker emulators/Dockerfile, on Debian 12).
RECIPE: dict[str, Any] = {
    "suite": "bookworm",
    "mirror": "http://deb.debian.org/debian",
    "variant": "minbase",
    "include": [
        "bash",
        "ca-certificates",
        "curl",
        "openjdk-17-jre-headless",
        "python3",
        "python3-crcmod",
    ],
    "path": "/google-cloud-sdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
}
#: The image whose containers the root stands in for (any release of its emulators
#: variant: the root is what its Dockerfile installs).
CI_IMAGE = r"gcr\.io/google\.com/cloudsdktool/google-cloud-cli:[0-9.]+-emulators"
#: Built-in substitutions, with the values a local run gives them.
BUILT_INS = {
    "PROJECT_ID": "rollcall-local-build",
    "PROJECT_NUMBER": "123456789012",
    "BUILD_ID": "local",
    "LOCATION": "global",
    "SERVICE_ACCOUNT_EMAIL": "rollcall-deploy@rollcall-local-build.iam.gserviceaccount.com",
}
#: Environment of this machine that reaching the registries needs (not Cloud Build's).
MACHINE_ENV = ("PIP_CERT", "PIP_DEFAULT_TIMEOUT", "NODE_EXTRA_CA_CERTS")
SUBSTITUTION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class BuildError(Exception):
    """The build cannot run here, or a step failed."""


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    args: tuple[str, ...]
    entrypoint: str | None = None
    dir: str = ""
    env: tuple[str, ...] = ()
    wait_for: tuple[str, ...] | None = None

    @property
    def argv(self) -> list[str]:
        return [self.entrypoint, *self.args] if self.entrypoint else list(self.args)


@dataclass
class Build:
    steps: list[Step]
    substitutions: dict[str, str]
    #: options.env: the environment of every step (a step's own env comes after).
    env: tuple[str, ...] = ()
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise BuildError(f"no step {step_id!r} in the build")

    def needs(self, step_id: str) -> list[str]:
        """``step_id`` and every step it waits for, directly or not, in file order."""
        ids = [s.id for s in self.steps]
        wanted: set[str] = set()

        def visit(sid: str) -> None:
            if sid in wanted:
                return
            wanted.add(sid)
            step = self.step(sid)
            before = ids[: ids.index(sid)]
            if step.wait_for is None:  # Cloud Build: waits for every earlier step
                deps: Iterable[str] = before
            else:
                deps = [] if step.wait_for == ("-",) else step.wait_for
            for dep in deps:
                visit(dep)

        visit(step_id)
        return [i for i in ids if i in wanted]


def substitute(text: str, values: dict[str, str]) -> str:
    """Cloud Build's substitution: ``$NAME`` and ``${NAME}`` of a known substitution
    become its value, ``$$`` becomes ``$``; anything else is an error (as Cloud Build
    refuses a build that uses an undefined one)."""

    def one(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(2)
        if name not in values:
            raise BuildError(f"substitution {name!r} is not defined (write $${name} for the shell)")
        return values[name]

    return SUBSTITUTION.sub(one, text)


def load(
    path: Path = CONFIG,
    overrides: dict[str, str] | None = None,
    built_ins: dict[str, str] | None = None,
) -> Build:
    raw = yaml.safe_load(path.read_text())
    values = {**BUILT_INS, **(built_ins or {})}
    subs = {k: str(v) for k, v in (raw.get("substitutions") or {}).items()}
    subs.update(overrides or {})
    values.update(subs)
    steps = []
    for i, s in enumerate(raw["steps"]):

        def sub(text: Any) -> str:
            return substitute(str(text), values)

        wait = s.get("waitFor")
        steps.append(
            Step(
                id=s.get("id") or f"step-{i}",
                name=sub(s["name"]),
                args=tuple(sub(a) for a in s.get("args", [])),
                entrypoint=sub(s["entrypoint"]) if s.get("entrypoint") else None,
                dir=sub(s.get("dir", "")),
                env=tuple(sub(e) for e in s.get("env", [])),
                wait_for=tuple(wait) if wait is not None else None,
            )
        )
    options = raw.get("options") or {}
    env = tuple(substitute(str(e), values) for e in options.get("env", []))
    return Build(steps=steps, substitutions=subs, env=env, raw=raw)


# -- the root standing in for the CI image -------------------------------------------


def cache_dir() -> Path:
    return Path(os.environ.get("ROLLCALL_CI_ROOT_CACHE", "/var/cache/rollcall/ci-root"))


def recipe_key() -> str:
    return hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode()).hexdigest()[:12]


def base_root(log: Any = print) -> Path:
    """The cached Debian root, made with debootstrap the first time (a few minutes)."""
    root = cache_dir() / f"{RECIPE['suite']}-{recipe_key()}"
    if (root / ".rollcall-complete").exists():
        return root
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".lock", "w") as lock:  # another worktree may be making it
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / ".rollcall-complete").exists():
            return root
        return _debootstrap(root, log)


def _debootstrap(root: Path, log: Any) -> Path:
    debootstrap = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    if not Path(debootstrap).exists():
        raise BuildError("debootstrap is missing: apt-get install -y debootstrap")
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    log(f"making the CI image's stand-in with debootstrap into {root} (once)")
    subprocess.run(
        [
            debootstrap,
            f"--variant={RECIPE['variant']}",
            f"--include={','.join(RECIPE['include'])}",
            RECIPE["suite"],
            str(partial),
            RECIPE["mirror"],
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (partial / "google-cloud-sdk").mkdir(exist_ok=True)
    (partial / "workspace").mkdir(exist_ok=True)
    # Debian's python3 refuses `pip install` into the system (PEP 668) in the image too;
    # nothing to change. The apt lists are empty, as in the image (rm -rf lists).
    shutil.rmtree(partial / "var" / "lib" / "apt" / "lists", ignore_errors=True)
    (partial / "var" / "lib" / "apt" / "lists" / "partial").mkdir(parents=True)
    (partial / ".rollcall-complete").write_text(json.dumps(RECIPE, sort_keys=True) + "\n")
    partial.rename(root)
    return root


def host_sdk() -> Path:
    gcloud = shutil.which("gcloud")
    if not gcloud:
        raise BuildError("gcloud is missing: the CI image's SDK is this machine's")
    return Path(os.path.realpath(gcloud)).parents[1]


# -- the workspace -----------------------------------------------------------------------


def source_files(repo: Path = ROOT) -> list[str]:
    """What ``gcloud builds submit`` uploads with no .gcloudignore: every file that git
    does not ignore, without .git."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted(p for p in out.split("\0") if p and (repo / p).is_file())


def make_workspace(dest: Path, repo: Path = ROOT, config: Path | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for rel in source_files(repo):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, target)
    if config is not None:
        shutil.copy2(config, dest / "cloudbuild.yaml")
    return dest


def terraform_download(dest: Path, version: str) -> Path:
    """The zip Makefile's terraform target would fetch from releases.hashicorp.com,
    made from this machine's terraform when it is that version."""
    exe = shutil.which("terraform")
    if exe is None:
        raise BuildError("terraform is not on the PATH: nothing to serve as its download")
    shown = subprocess.run([exe, "version", "-json"], capture_output=True, text=True, check=True)
    have = json.loads(shown.stdout)["terraform_version"]
    if have != version:
        raise BuildError(f"this machine's terraform is {have}, the build pins {version}")
    path = dest / f"terraform_{version}_linux_amd64.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(exe, "terraform")
    return path


# -- one step ------------------------------------------------------------------------------

_STEP_SCRIPT = r"""
set -eu
root="$1"; shift
base="$1"; shift
scratch="$1"; shift
workspace="$1"; shift
sdk="$1"; shift
downloads="$1"; shift
mkdir -p "$scratch/upper" "$scratch/work" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
mount --bind "$workspace" "$root/workspace"
mount --bind -o ro "$sdk" "$root/google-cloud-sdk"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o size=64m tmpfs "$root/dev/shm"
mount --rbind /sys "$root/sys"
mkdir -p "$root/downloads" "$root/builder/home"
mount --bind -o ro "$downloads" "$root/downloads"
cp /etc/resolv.conf "$root/etc/resolv.conf"
for ca in /usr/local/share/ca-certificates/*.crt; do
  [ -e "$ca" ] && cp "$ca" "$root/usr/local/share/ca-certificates/"
done
cat /etc/ssl/certs/ca-certificates.crt > "$root/etc/ssl/certs/ca-certificates.crt"
exec chroot "$root" "$@"
"""


def run_step(
    step: Step,
    workspace: Path,
    base: Path,
    downloads: Path,
    env: dict[str, str] | None = None,
    log: Any = print,
    timeout: float | None = None,
    build_env: Sequence[str] = (),
) -> subprocess.CompletedProcess[bytes]:
    if not re.fullmatch(CI_IMAGE, step.name):
        raise BuildError(f"step {step.id}: no stand-in for image {step.name!r} here")
    step_env = {
        "PATH": RECIPE["path"],
        "HOME": "/builder/home",
        "BUILDER_OUTPUT": "/builder/outputs",
        "DEBIAN_FRONTEND": "noninteractive",
    }
    for key in MACHINE_ENV:
        if os.environ.get(key):
            step_env[key] = os.environ[key]
    step_env.update(env or {})
    for item in (*build_env, *step.env):
        key, _, value = item.partition("=")
        step_env[key] = value
    workdir = "/workspace/" + step.dir if step.dir else "/workspace"
    inner = [
        "/usr/bin/env",
        "-i",
        *(f"{k}={v}" for k, v in step_env.items()),
        "/bin/bash",
        "-c",
        'cd "$0" && exec "$@"',
        workdir,
        *step.argv,
    ]
    with tempfile.TemporaryDirectory(prefix=f"cb-{step.id}-", dir=cache_dir().parent) as tmp:
        scratch = Path(tmp)
        cmd = [
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            _STEP_SCRIPT,
            "step",
            str(scratch / "root"),
            str(base),
            str(scratch),
            str(workspace),
            str(host_sdk()),
            str(downloads),
            *inner,
        ]
        log(f"--- step {step.id}: {shlex.join(step.argv)[:160]}")
        started = time.monotonic()
        proc = subprocess.run(cmd, timeout=timeout)
        log(f"--- step {step.id}: exit {proc.returncode} after {time.monotonic() - started:.0f} s")
        return proc


@dataclass
class Result:
    ran: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(code == 0 for _, code, _ in self.ran)

    def failed(self) -> str | None:
        for sid, code, _ in self.ran:
            if code:
                return sid
        return None


def run(
    build: Build,
    step_ids: Sequence[str],
    workspace: Path,
    only: bool = False,
    log: Any = print,
    env: dict[str, str] | None = None,
) -> Result:
    """Run the steps (and, unless ``only``, those they wait for); stop at the first
    failure, as Cloud Build does."""
    order: list[str] = []
    for sid in step_ids:
        for dep in [sid] if only else build.needs(sid):
            if dep not in order:
                order.append(dep)
    order.sort(key=[s.id for s in build.steps].index)
    base = base_root(log)
    downloads = workspace.parent / "downloads"
    downloads.mkdir(exist_ok=True)
    tf_version = build.substitutions.get("_TF_VERSION")
    extra = dict(env or {})
    if tf_version and not (downloads / f"terraform_{tf_version}_linux_amd64.zip").exists():
        terraform_download(downloads, tf_version)
    if tf_version:
        extra.setdefault("TF_DOWNLOAD", f"file:///downloads/terraform_{tf_version}_linux_amd64.zip")
    result = Result()
    for sid in order:
        started = time.monotonic()
        proc = run_step(
            build.step(sid), workspace, base, downloads, extra, log, build_env=build.env
        )
        result.ran.append((sid, proc.returncode, time.monotonic() - started))
        if proc.returncode:
            break
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rollcall_ops.cloudbuild_local", description=__doc__)
    p.add_argument("--config", type=Path, default=CONFIG)
    p.add_argument("--steps", nargs="+", help="these steps and what they wait for")
    p.add_argument("--only", action="store_true", help="only the named steps")
    p.add_argument("--workspace", type=Path, help="default: a new one under /tmp")
    p.add_argument("--substitution", "-s", action="append", default=[], metavar="_NAME=VALUE")
    p.add_argument("--build-root", action="store_true", help="only make the cached root")
    args = p.parse_args(argv)
    if args.build_root:
        print(base_root())
        return 0
    overrides = dict(item.split("=", 1) for item in args.substitution)
    build = load(args.config, overrides)
    ids = args.steps or [s.id for s in build.steps]
    keep = args.workspace is not None
    parent = Path(tempfile.mkdtemp(prefix="cloudbuild-local-"))
    workspace = args.workspace or parent / "workspace"
    if not keep or not workspace.exists():
        make_workspace(workspace, config=args.config)
    try:
        result = run(build, ids, workspace, only=args.only)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for sid, code, took in result.ran:
        print(f"{sid:<16} {'ok' if code == 0 else f'FAILED (exit {code})':<18} {took:6.0f} s")
    if not keep:
        shutil.rmtree(parent, ignore_errors=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

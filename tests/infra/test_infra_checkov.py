"""Static security scan of infra/ with checkov (offline: --skip-download via the
config). Every skipped check carries its reason: directory-wide skips in
infra/checkov.yaml, single-resource skips inline next to the resource."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from infra_model import INFRA, ROOT

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CONFIG = INFRA / "checkov.yaml"
MIN_REASON = 30


def test_every_directory_wide_skip_has_a_reason():
    lines = CONFIG.read_text().splitlines()
    start = lines.index("skip-check:")
    items = [ln for ln in lines[start + 1 :] if ln.startswith("  - ")]
    assert items, "skip-check is empty: drop the key instead"
    for item in items:
        match = re.fullmatch(r"  - (CKV2?_[A-Z0-9]+_[0-9]+) # (.+)", item)
        assert match, f"{item!r}: write `- CKV_ID # reason`"
        assert len(match.group(2)) >= MIN_REASON, f"{match.group(1)}: the reason is too thin"


def test_every_inline_skip_has_a_reason():
    for path in INFRA.glob("*.tf"):
        for line in path.read_text().splitlines():
            if "checkov:skip=" in line:
                match = re.search(r"checkov:skip=(CKV2?_[A-Z0-9]+_[0-9]+):(.+)$", line)
                assert match, f"{path.name}: {line.strip()!r} needs `:reason`"
                assert len(match.group(2).strip()) >= MIN_REASON, f"{path.name}: {match.group(1)}"


@pytest.fixture(scope="module")
def scan() -> dict:
    if not CHECKOV.exists():
        pytest.skip(f"{CHECKOV.relative_to(ROOT)} is missing (`make` creates it)")
    proc = subprocess.run(
        [str(CHECKOV), "--config-file", str(CONFIG), "--output", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.stdout.strip(), proc.stderr
    report = json.loads(proc.stdout)
    return {"returncode": proc.returncode, "report": report}


def test_checkov_finds_nothing_unexplained(scan):
    summary = scan["report"]["summary"]
    failed = scan["report"]["results"]["failed_checks"]

    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 0
    assert not failed, "\n".join(
        f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in failed
    )
    assert scan["returncode"] == 0


def test_checkov_skips_carry_their_reasons(scan):
    for check in scan["report"]["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason) >= MIN_REASON, f"{check['check_id']} on {check['resource']}"

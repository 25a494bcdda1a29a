"""Test fixtures. Unit tests need nothing; tests marked ``emulator`` get the whole
local stack, started once per run on ports shifted by +10000 (so a `make up` stack can
keep running) and stopped by PID at the end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_PORT_OFFSET = int(os.environ.get("ROLLCALL_TEST_PORT_OFFSET", "10000"))


@pytest.fixture(autouse=True)
def _restore_environ():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def local_stack():
    """The tests' stack (not started): the same settings wherever a test starts, stops
    or restarts part of it."""
    from emulators.stack import Stack

    # No scheduler ticks: a sweep closes every ended session of the project, so the
    # tests that need one publish it themselves, when they choose.
    return Stack(
        state_dir=ROOT / ".local" / f"test-stack-{TEST_PORT_OFFSET}",
        offset=TEST_PORT_OFFSET,
        schedule_every=0,
    )


@pytest.fixture(scope="session")
def stack():
    """The running local stack; its environment (stack.env) as a dict."""
    s = local_stack()
    s.down(log=lambda *_: None)  # leftovers of an interrupted run
    env = s.up(log=lambda *_: None)
    os.environ.update(env)
    try:
        yield env
    finally:
        s.down(log=lambda *_: None)


@pytest.fixture
def stack_env(stack):
    """Per test: the stack's variables in os.environ (restored afterwards)."""
    os.environ.update(stack)
    return stack

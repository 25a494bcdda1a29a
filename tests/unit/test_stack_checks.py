"""The local stack's refusals: each a single actionable line, before anything starts."""

import socket

import pytest

from emulators import stack


def test_missing_java_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(stack.shutil, "which", lambda name: None if name == "java" else "/bin/x")
    with pytest.raises(stack.StackError, match="java not found: .*apt-get install"):
        stack.check_prerequisites()


def test_missing_node_says_so(monkeypatch):
    real = stack.shutil.which
    monkeypatch.setattr(stack.shutil, "which", lambda n: None if n == "node" else real(n))
    with pytest.raises(stack.StackError, match="node not found"):
        stack.check_prerequisites()


def test_busy_port_is_named_with_the_fix(tmp_path):
    s = stack.Stack(state_dir=tmp_path, offset=23000)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", s.ports["scan"]))
        busy.listen()
        with pytest.raises(stack.StackError) as err:
            s.up(log=lambda *_: None)
    message = str(err.value)
    assert f"port {s.ports['scan']} (scan) is busy" in message
    assert "ROLLCALL_PORT_OFFSET" in message and "\n" not in message
    assert not (tmp_path / "pids").exists() or not list((tmp_path / "pids").iterdir())


def test_down_without_a_stack_is_a_no_op(tmp_path):
    s = stack.Stack(state_dir=tmp_path, offset=23000)
    s.down(log=lambda *_: None)
    s.down(log=lambda *_: None)


def test_local_project_must_be_a_demo_project(monkeypatch):
    monkeypatch.setenv("ROLLCALL_PROJECT", "my-real-project")
    with pytest.raises(stack.StackError, match="demo-"):
        stack.Stack.from_env()

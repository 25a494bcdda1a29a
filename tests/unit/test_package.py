"""The deployable archive (rollcall_ops.package): exactly the functions folder, minus
caches, byte-for-byte reproducible, so the same source is the same object name."""

from __future__ import annotations

import zipfile

from rollcall_ops import package


def test_the_archive_is_the_functions_folder_and_reproducible(tmp_path):
    first = package.build(tmp_path / "a.zip")
    again = package.build(tmp_path / "b.zip")

    assert first.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(first) as z:
        names = z.namelist()
    assert names == package.files()
    assert {"main.py", "requirements.txt", "rollcall/contracts.json"} <= set(names)
    assert "rollcall/http/router.py" in names


def test_caches_and_dot_files_stay_out(tmp_path):
    source = tmp_path / "functions"
    (source / "rollcall" / "__pycache__").mkdir(parents=True)
    (source / "main.py").write_text("")
    (source / "requirements.txt").write_text("")
    (source / "rollcall" / "data.json").write_text("{}")
    (source / "rollcall" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    (source / "rollcall" / "y.pyc").write_bytes(b"")
    (source / ".env").write_text("SECRET=1")

    assert package.files(source) == ["main.py", "requirements.txt", "rollcall/data.json"]


def test_a_folder_without_an_entry_module_is_refused(tmp_path):
    (tmp_path / "requirements.txt").write_text("")
    try:
        package.files(tmp_path)
    except FileNotFoundError as exc:
        assert "main.py" in str(exc)
    else:
        raise AssertionError("no main.py, yet files() succeeded")

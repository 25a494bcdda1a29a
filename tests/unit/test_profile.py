"""`python -m rollcall_ops.profile`'s summary of a py-spy collapsed-stack profile."""

from rollcall_ops import profile

SITE = "/work/.venv/lib/python3.11/site-packages"
LINES = [
    f"run (rollcall/consumers/delivery.py:90);commit ({SITE}/google/cloud/firestore_v1/"
    f"batch.py:60);__init__ ({SITE}/proto/message.py:678) 6",
    "run (rollcall/consumers/delivery.py:90);entry (/work/functions/rollcall/logs.py:110) 3",
    f"handle ({SITE}/gunicorn/workers/gthread.py:300) 1",
    "garbage line",
]


def test_libraries_by_the_innermost_frame_and_top_frames():
    total, shares, leaves = profile.summarise(LINES)

    assert total == 10
    assert shares == {"proto-plus/protobuf": 0.6, "rollcall": 0.3, "gunicorn": 0.1}
    assert leaves[0] == ("__init__ (proto/message.py)", 0.6)
    assert leaves[1] == ("entry (rollcall/logs.py)", 0.3)


def test_an_empty_profile():
    assert profile.summarise([]) == (0, {}, [])

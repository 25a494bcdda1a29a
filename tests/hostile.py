"""Hostile input shared by the unit tests (the toolkit) and the emulator tests (every
endpoint of the running scan function): request bodies of every shape within the 4 KiB
limit that are no JSON object a handler could use, and ids Firestore reserves."""

#: name -> body; each is at most 4,096 bytes.
BODIES = {
    "deep array": b"[" * 4000,
    "deep array closed": b"[" * 2000 + b"]" * 2000,
    "deep object": b'{"a":' * 600 + b"1" + b"}" * 600,
    "deep inside a field": b'{"session_id": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    "4,000-digit number": b'{"session_id": ' + b"9" * 4000 + b"}",
    "NaN": b'{"session_id": NaN}',
    "Infinity": b'{"session_id": -Infinity}',
    "bare NaN": b"NaN",
    "lone surrogate": b'{"session_id": "\\ud800"}',
    "not UTF-8": b'{"session_id": "\xff"}',
    "empty": b"",
    "whitespace": b" \n\t ",
    "array": b'[{"session_id": "s1"}]',
    "string": b'"s1"',
    "null": b"null",
}

#: Ids matching ``__.*__``, which Firestore refuses as document ids.
RESERVED_IDS = ["__x__", "____", "__name__", "___-___"]

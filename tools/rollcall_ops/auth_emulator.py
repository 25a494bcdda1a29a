"""Sign-in against the Firebase Auth emulator's REST API (what the web SDK does)."""

from __future__ import annotations

import os

import requests

API_KEY = "demo-api-key"  # the emulator accepts any key


def url(method: str) -> str:
    host = os.environ["FIREBASE_AUTH_EMULATOR_HOST"]
    return f"http://{host}/identitytoolkit.googleapis.com/v1/accounts:{method}?key={API_KEY}"


def sign_in(email: str, password: str, session: requests.Session | None = None) -> str:
    """A Firebase ID token for the user."""
    http = session or requests
    resp = http.post(
        url("signInWithPassword"),
        json={"email": email, "password": password, "returnSecureToken": True},
        timeout=30,
    )
    if resp.status_code != 200:
        raise RuntimeError(f"sign-in of {email} failed: {resp.status_code} {resp.text[:200]}")
    return resp.json()["idToken"]


def sign_up(email: str, password: str) -> tuple[str, str]:
    """Create a user; returns (uid, ID token)."""
    resp = requests.post(
        url("signUp"),
        json={"email": email, "password": password, "returnSecureToken": True},
        timeout=30,
    )
    resp.raise_for_status()
    body = resp.json()
    return body["localId"], body["idToken"]


def sign_in_with_google(email: str, sub: str) -> tuple[str, str]:
    """A Google account's first sign-in, as the SDK completes it after Google's page:
    the emulator takes an unsigned JSON ID token for the google.com provider. Returns
    (uid, Firebase ID token); the Firebase ID token is like any other (provider
    google.com), which is what the functions see in production."""
    import json

    id_token = json.dumps({"sub": sub, "email": email, "email_verified": True})
    resp = requests.post(
        url("signInWithIdp"),
        json={
            "postBody": f"id_token={id_token}&providerId=google.com",
            "requestUri": "http://localhost",
            "returnSecureToken": True,
        },
        timeout=30,
    )
    resp.raise_for_status()
    body = resp.json()
    return body["localId"], body["idToken"]


def _emulator(path: str) -> str:
    host = os.environ["FIREBASE_AUTH_EMULATOR_HOST"]
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    return f"http://{host}/emulator/v1/projects/{project}/{path}"


def oob_codes(email: str, kind: str) -> list[dict]:
    """The out-of-band codes the Auth emulator holds for ``email`` (``VERIFY_EMAIL``,
    ``PASSWORD_RESET``): what Firebase would have mailed, newest last."""
    resp = requests.get(_emulator("oobCodes"), timeout=10)
    resp.raise_for_status()
    return [
        c
        for c in resp.json().get("oobCodes", [])
        if c.get("email", "").lower() == email.lower() and c.get("requestType") == kind
    ]


def verify_email(email: str, password: str) -> str:
    """Send the verification mail (as the web app does after sign-up), follow its link
    (the emulator's code), and sign in again: the new ID token says email_verified."""
    token = sign_in(email, password)
    resp = requests.post(
        url("sendOobCode"),
        json={"requestType": "VERIFY_EMAIL", "idToken": token},
        timeout=30,
    )
    resp.raise_for_status()
    code = oob_codes(email, "VERIFY_EMAIL")[-1]["oobCode"]
    resp = requests.post(url("update"), json={"oobCode": code}, timeout=30)
    resp.raise_for_status()
    return sign_in(email, password)

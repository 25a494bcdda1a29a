""" "Continue with Google" on both pages: offered only when the runtime configuration
enables the provider, and a clear message when Google's sign-in scripts cannot be
loaded (this machine has no internet: the Firebase SDK's popup needs apis.google.com
even with the Auth emulator; the emulator test test_security checks that a Google
account's ID token checks in like any other)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator


@pytest.mark.parametrize("path", ["/", "/scan.html"])
def test_google_sign_in_is_offered_when_enabled_and_fails_clearly_offline(web, path):
    page = web.page(path)
    button = page.wait_for_selector("#signin-google")
    assert button.text_content() == "Continue with Google"
    web.shot(page, "signin")
    page.click("#signin-google")
    error = page.locator("#signin-error")
    error.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#signin-error').textContent.includes('Google')")
    assert error.text_content() == (
        "Could not reach Google sign-in. Check the connection, or sign in with email and password."
    )
    assert page.locator("#signout").count() == 0


def test_google_sign_in_is_not_offered_when_not_configured(web):
    del web.config["signIn"]
    page = web.page("/")
    # the config is read asynchronously: the form says what it offers once it has it
    page.wait_for_selector("form.signin[data-providers]")
    assert page.get_attribute("form.signin", "data-providers") == "password"
    assert page.locator("#signin-google").count() == 0

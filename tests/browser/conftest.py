"""Browser tests: Playwright drives Debian's headless Chromium against a live server.

`axe_check(page)` runs axe-core (from node_modules, never a CDN) in the page and fails on any
serious or critical finding. Failed tests leave a screenshot under test-artifacts/.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "test-artifacts" / "screens"
CHROMIUM = os.environ.get("EXITPROG_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; Django must allow the ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def axe_check():
    source = AXE_JS.read_text()

    def _check(page, *, name: str) -> None:
        # The app's CSP forbids injected <script> tags; evaluate the library's text instead.
        page.evaluate(source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} - "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
        assert not bad, f"axe found on {name}:\n" + "\n".join(bad)

    return _check


@pytest.fixture
def log_in(live_server, password):
    def _log_in(page, user) -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill(user.username)
        page.get_by_label("Lösenord").fill(password)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{live_server.url}/")

    return _log_in


@pytest.fixture(autouse=True)
def _close_own_contexts(browser):
    """Close the contexts a test opened itself (`browser.new_context()`), so that none of its
    pages stays open, and busy, for the rest of the session."""
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()

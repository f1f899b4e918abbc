"""Headless Debian Chromium driven over the DevTools protocol with nothing but Page and Runtime.

Playwright enables the Network domain on every page it controls: Chromium then copies every
websocket frame and request body, base64-encoded, to the driver (measured here: a 200 MB
websocket transfer took 7.4 s with 5.4 s of browser CPU and 1.7 s of driver CPU). A user's
browser does none of that, so the transfer benchmarks drive Chromium through this small client
instead: it evaluates JavaScript, hands files to `<input type=file>` elements and answers file
choosers, and never enables Network.

    with plain_chromium(tmp) as page:
        page.goto(url)
        page.evaluate("() => document.title")
        page.set_input_files(".uponai-picker-box input[type=file]", [path])

Chromium listens on a DevTools port on 127.0.0.1 chosen by itself (read from its
``DevToolsActivePort`` file), gets a fresh profile, HOME and TMPDIR in `tmp`, and is stopped by PID.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import websocket
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from uponai_devtools.browser import CHROMIUM, CHROMIUM_ARGS
from uponai_devtools.processes import stop_process

__all__ = ["CdpPage", "DrivenPage", "PlaywrightDriven", "plain_chromium"]

STARTUP_TIMEOUT = 30.0


class DrivenPage(Protocol):
    """What the benchmarks need from a page, however the browser is driven."""

    def evaluate(self, function: str, arg: Any = None) -> Any:
        """Call a JavaScript function source with a JSON argument; await a promise it returns."""

    def goto(self, url: str) -> None:
        """Navigate to `url`."""

    def wait_for(self, function: str, timeout: float, what: str) -> None:
        """Wait (at most `timeout` s) until the JavaScript predicate is true."""

    def click(self, selector: str) -> None:
        """Click the first element matching `selector`."""

    def set_input_files(self, selector: str, paths: Sequence[Path]) -> None:
        """Give an attached `<input type=file>` these files."""

    def choose_files(self, click_selector: str, paths: Sequence[Path], timeout: float = 10) -> None:
        """Click what opens a file chooser and answer it with `paths`."""


class CdpError(RuntimeError):
    """Chromium answered a command with an error, or a script threw."""


class CdpPage:
    """One page target: commands answered in order, events kept until asked for."""

    def __init__(self, url: str, browser_pid: int) -> None:
        """Connect to the page target's DevTools websocket `url`."""
        self.browser_pid = browser_pid
        self._socket = websocket.create_connection(url, suppress_origin=True, timeout=600)
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events meanwhile are kept)."""
        number = next(self._ids)
        self._socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self._events.append(message)

    def event(self, method: str, timeout: float) -> dict[str, Any]:
        """The first (kept or coming) event called `method`; removed from the kept ones."""
        deadline = time.monotonic() + timeout
        while True:
            for index, kept in enumerate(self._events):
                if kept["method"] == method:
                    params: dict[str, Any] = self._events.pop(index).get("params", {})
                    return params
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} event within {timeout} s")
            self._socket.settimeout(left)
            try:
                message = json.loads(self._socket.recv())
            except websocket.WebSocketTimeoutException:
                continue
            finally:
                self._socket.settimeout(600)
            if "method" in message:
                self._events.append(message)

    def evaluate(self, function: str, arg: Any = None) -> Any:
        """Call the JavaScript `function` source with `arg` (JSON); awaits a promise."""
        answer = self.call(
            "Runtime.evaluate",
            expression=f"({function})({json.dumps(arg)})",
            awaitPromise=True,
            returnByValue=True,
            userGesture=True,  # as if the user acted: file choosers may open
        )
        if "exceptionDetails" in answer:
            raise CdpError(json.dumps(answer["exceptionDetails"])[:1000])
        return answer.get("result", {}).get("value")

    def goto(self, url: str) -> None:
        """Navigate (returns once the navigation is committed)."""
        self.call("Page.navigate", url=url)

    def wait_for(self, function: str, timeout: float, what: str) -> None:
        """Poll the JavaScript predicate `function` every 100 ms until true, at most `timeout` s."""
        deadline = time.monotonic() + timeout
        while not self._evaluate_across_navigation(function):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: not after {timeout} s")
            time.sleep(0.1)

    def _evaluate_across_navigation(self, function: str) -> Any:
        # Right after a navigation commits, the old document's context may be gone before the
        # new one exists: Chromium then answers that it cannot find (or lost) the context.
        try:
            return self.evaluate(function)
        except CdpError as exc:
            if "context" in str(exc).lower():
                return False
            raise

    def click(self, selector: str) -> None:
        """Click the first element matching `selector` (a DOM click event)."""
        self.evaluate(f"() => document.querySelector({json.dumps(selector)}).click()")

    def set_input_files(self, selector: str, paths: Sequence[Path]) -> None:
        """Give the `<input type=file>` matching `selector` these files (fires its change event)."""
        root = self.call("DOM.getDocument", depth=0)["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise CdpError(f"no element matches {selector!r}")
        self.call("DOM.setFileInputFiles", nodeId=node, files=[str(p) for p in paths])

    def choose_files(self, click_selector: str, paths: Sequence[Path], timeout: float = 10) -> None:
        """Click what opens a file chooser and answer the chooser with `paths`."""
        self.call("Page.enable")
        self.call("Page.setInterceptFileChooserDialog", enabled=True)
        try:
            self.click(click_selector)
            opened = self.event("Page.fileChooserOpened", timeout)
            self.call(
                "DOM.setFileInputFiles",
                backendNodeId=opened["backendNodeId"],
                files=[str(p) for p in paths],
            )
        finally:
            self.call("Page.setInterceptFileChooserDialog", enabled=False)

    def close(self) -> None:
        """Close the DevTools connection."""
        self._socket.close()


def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (profile.parent / "chromium.log").read_text(errors="replace")[-1500:]
            raise RuntimeError(f"Chromium exited with {process.returncode}:\n{log}")
        # The file's first line is the port; it is complete once the second (the path) follows.
        lines = marker.read_text().splitlines() if marker.exists() else []
        if len(lines) >= 2 and lines[0].strip().isdigit():
            return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError(f"Chromium did not open its DevTools port within {STARTUP_TIMEOUT} s")


def _first_page_target(port: int) -> str:
    # The port file is written before the first page exists: a list asked for at once can be empty.
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        pages = [t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page"]
        if pages:
            return str(pages[0])
        if time.monotonic() > deadline:
            raise TimeoutError(f"Chromium showed no page within {STARTUP_TIMEOUT} s: {targets}")
        time.sleep(0.1)


@contextmanager
def plain_chromium(tmp: Path) -> Iterator[CdpPage]:
    """Headless Chromium with a fresh profile in `tmp`, one blank page, stopped by PID."""
    home = tmp / "chromium-home"
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    profile = tmp / "chromium-profile"
    args = [
        CHROMIUM,
        "--headless",
        *CHROMIUM_ARGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "--window-size=1280,1600",
        "about:blank",
    ]
    env = {"HOME": str(home), "TMPDIR": str(home / "tmp"), "PATH": os.environ["PATH"]}
    log = (tmp / "chromium.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        port = _devtools_port(profile, process)
        page = CdpPage(_first_page_target(port), process.pid)
        # A headless page has no focus unless asked: JupyterLab's current widget follows focus.
        page.call("Page.bringToFront")
        page.call("Emulation.setFocusEmulationEnabled", enabled=True)
        try:
            yield page
        finally:
            page.close()
    finally:
        stop_process(process)
        log.close()


class PlaywrightDriven:
    """A Playwright page behind `CdpPage`'s methods (for comparing the two ways of driving)."""

    def __init__(self, page: Page) -> None:
        """Wrap `page` (its context enabled the Network domain, as Playwright always does)."""
        self.page = page

    def evaluate(self, function: str, arg: Any = None) -> Any:
        """As `CdpPage.evaluate`."""
        return self.page.evaluate(function, arg)

    def goto(self, url: str) -> None:
        """As `CdpPage.goto`."""
        self.page.goto(url)

    def wait_for(self, function: str, timeout: float, what: str) -> None:
        """As `CdpPage.wait_for`."""
        try:
            self.page.wait_for_function(function, timeout=timeout * 1000)
        except PlaywrightTimeout as exc:
            raise TimeoutError(f"{what}: not after {timeout} s") from exc

    def click(self, selector: str) -> None:
        """As `CdpPage.click`."""
        self.page.locator(selector).first.click()

    def set_input_files(self, selector: str, paths: Sequence[Path]) -> None:
        """As `CdpPage.set_input_files`."""
        self.page.set_input_files(selector, [str(p) for p in paths])

    def choose_files(self, click_selector: str, paths: Sequence[Path], timeout: float = 10) -> None:
        """As `CdpPage.choose_files`."""
        with self.page.expect_file_chooser(timeout=timeout * 1000) as chooser:
            self.page.locator(click_selector).first.click()
        chooser.value.set_files([str(p) for p in paths])

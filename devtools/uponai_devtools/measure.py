"""Measuring a run in the browser and on this machine: page timelines, bounded waits, CPU time.

    timeline = PageTimeline(page, {"arrived": ".uponai-row-ready", "card": ".uponai-card"})
    start = timeline.now()
    ...  # act
    timeline.wait("card", "the voice card", timeout_s=60, shown=".uponai-clone-widget")
    seconds = timeline.seen()["card"] - start

The timeline polls the page every 20 ms inside the browser and records, in the page's own clock
(`performance.now()`, milliseconds), the first moment each CSS selector matched a visible
element (a mark may also be a ``(selector, text)`` pair: a visible match containing the text). A wait that runs out raises `WaitedTooLong` naming what it waited for, the selector
and what the page showed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from uponai_devtools.cdp import DrivenPage

__all__ = [
    "PageTimeline",
    "ProcessCpu",
    "WaitedTooLong",
    "cpu_seconds",
    "load_average",
    "pids_with_argument",
    "process_tree",
]

_INSTALL = """([marks, period]) => {
  const seen = window.__uponaiSeen = window.__uponaiSeen || {};
  const visible = (node) => !!(node && (node.offsetWidth || node.offsetHeight
                                        || node.getClientRects().length));
  const check = () => {
    for (const [name, mark] of Object.entries(marks)) {
      if (seen[name] !== undefined) continue;
      const [selector, text] = Array.isArray(mark) ? mark : [mark, null];
      for (const node of document.querySelectorAll(selector)) {
        if (visible(node) && (text === null || node.textContent.includes(text))) {
          seen[name] = performance.now();
          break;
        }
      }
    }
  };
  if (window.__uponaiTimer) clearInterval(window.__uponaiTimer);
  window.__uponaiMarks = Object.assign(window.__uponaiMarks || {}, marks);
  window.__uponaiTimer = setInterval(() => check(), period);
  check();
}"""


_TEXT = """(selector) => {
  for (const node of document.querySelectorAll(selector)) {
    if (node.offsetWidth || node.offsetHeight || node.getClientRects().length) {
      return node.innerText.split("\\n").filter((line) => line.trim()).join(" | ");
    }
  }
  return "";
}"""


class WaitedTooLong(TimeoutError):
    """What a benchmark waited for never showed up within its bound."""


class PageTimeline:
    """First-seen times (page clock, ms) of named CSS selectors, polled inside the page."""

    def __init__(
        self, page: DrivenPage, marks: Mapping[str, str | tuple[str, str]], period_ms: int = 20
    ) -> None:
        """Start polling for `marks` (name -> CSS selector) every `period_ms`."""
        self.page = page
        self.period_ms = period_ms
        self.marks = dict(marks)
        page.evaluate(_INSTALL, [self.marks, period_ms])

    def add(self, marks: Mapping[str, str | tuple[str, str]]) -> None:
        """Watch more selectors from now on."""
        self.marks.update(marks)
        self.page.evaluate(_INSTALL, [self.marks, self.period_ms])

    def now(self) -> float:
        """The page's clock now (ms)."""
        return float(self.page.evaluate("() => performance.now()"))

    def seen(self) -> dict[str, float]:
        """Every mark seen so far, with its first-seen time (ms)."""
        found = self.page.evaluate("() => window.__uponaiSeen || {}")
        return {str(k): float(v) for k, v in found.items()}

    def wait(
        self,
        name: str,
        what: str,
        timeout_s: float,
        *,
        shown: str = "body",
        fail_on: str | None = None,
        progress_every_s: float = 10.0,
    ) -> float:
        """Wait until mark `name` has been seen; returns its time (ms).

        Raises `WaitedTooLong` after `timeout_s` (and `RuntimeError` as soon as `fail_on`, a
        CSS selector such as an error box, is visible), with the text of `shown` in the message.
        Prints that text every `progress_every_s` meanwhile.
        """
        started = time.monotonic()
        told = started
        while True:
            seen = self.seen()
            if name in seen:
                return seen[name]
            if fail_on is not None and (error := self.text(fail_on)):
                raise RuntimeError(f"while waiting for {what}: the page shows an error: {error}")
            now = time.monotonic()
            if now - started > timeout_s:
                raise WaitedTooLong(
                    f"waited {timeout_s:.0f} s for {what} ({self.marks[name]!r}), which never "
                    f"appeared; the page showed: {self.text(shown)!r}"
                )
            if now - told > progress_every_s:
                told = now
                print(f"  {now - started:6.1f} s: {self.text(shown)[:300]}", flush=True)
            time.sleep(0.1)

    def text(self, selector: str) -> str:
        """The visible text of the first visible element matching `selector`, on one line."""
        return str(self.page.evaluate(_TEXT, selector))


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time (s) the processes used so far (vanished processes count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / tick


def pids_with_argument(needle: str) -> list[int]:
    """PIDs of the processes one of whose command-line arguments contains `needle`."""
    found = []
    wanted = needle.encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            arguments = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(wanted in argument for argument in arguments):
            found.append(int(proc.name))
    return found


def process_tree(roots: Iterable[int]) -> list[int]:
    """The `roots` and every process descended from them (running now)."""
    parents: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parents[int(proc.name)] = int(
                    (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, ValueError, IndexError):
                continue
    found = set(roots)
    grown = True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grown = True
    return sorted(found)


@dataclass
class ProcessCpu:
    """CPU time of the processes of a browser-to-kernel run: Chromium, the server, the kernel
    (and the sandbox the kernel uploads to, when given)."""

    kernel: int
    server: int
    browser: list[int]  # Chromium's first process(es); their children are found at each count
    sandbox: int | None = None

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each (Chromium by process type)."""
        kinds: dict[str, list[int]] = {}
        for pid in process_tree(self.browser):
            kinds.setdefault(f"chromium {chromium_kind(pid)}", []).append(pid)
        used = {kind: cpu_seconds(pids) for kind, pids in sorted(kinds.items())}
        ours = set(process_tree([os.getpid()]))
        driver = [pid for pid in pids_with_argument("run-driver") if pid in ours]
        if driver:
            used["playwright driver"] = cpu_seconds(driver)
        used |= {"server": cpu_seconds([self.server]), "kernel": cpu_seconds([self.kernel])}
        if self.sandbox is not None:
            used["sandbox"] = cpu_seconds([self.sandbox])
        return used


def chromium_kind(pid: int) -> str:
    """``renderer``, ``network``, ``gpu-process``... from a Chromium process's --type."""
    try:
        # Forked children rewrite their command line into one space-separated string.
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "gone"
    if any(b"NetworkService" in a for a in arguments):
        return "network"
    kinds = [a.split(b"=", 1)[1].decode() for a in arguments if a.startswith(b"--type=")]
    return kinds[0] if kinds else "browser"


def load_average() -> str:
    """``1.23 0.98 0.80 on 2 CPUs`` (1, 5 and 15-minute load averages, as `uptime` shows)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"

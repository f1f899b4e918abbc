"""The README's screenshots, made from the current code (`make screenshots`).

`make_screenshots(out_dir, work_dir)` starts a sandbox and a JupyterLab on 127.0.0.1 (both
stopped by PID), drives the real clone widget (`notebooks/clone_voice.ipynb`) in headless
Debian Chromium and writes, cropped to the widget:

- ``clone-light.png``: three espeak-ng readings chosen, cloned; the card and the status say
  the one clone, the upload figures the three files' total (light theme);
- ``clone-dark.png``: the same in JupyterLab's dark theme;
- ``prepare.png``: Prepare samples on, two quiet takes with long silences prepared, each row
  listing what preparing changed with the before/after pictures and the prepared file's verdict.

Before each picture the widget's DOM is read and checked (`coherence_problems`): a state that
contradicts itself (a card and rows of another clone, a row still arriving or preparing, an
error banner, a badge that is not the API's word) raises `IncoherentScreen` and nothing is
written for that shot.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile as sf  # type: ignore[import-untyped]
from playwright.sync_api import BrowserContext, Page

from uponai_devtools.browser import choose_files, chromium, fill_text, open_and_run
from uponai_devtools.coherence import (
    CloneShown,
    Expected,
    PrepareShown,
    WidgetState,
    coherence_problems,
    read_widget,
)
from uponai_devtools.lab import NOTEBOOK, REPO, RunningLab, start_lab
from uponai_devtools.sandbox import RunningSandbox, start_sandbox
from uponai_widgets._sizes import format_size

__all__ = ["SCREENSHOTS_DIR", "SHOTS", "Check", "IncoherentScreen", "Shot", "make_screenshots"]

#: Where `make screenshots` writes (the README shows these).
SCREENSHOTS_DIR = REPO / "docs" / "screenshots"
SHOTS = ("clone-light.png", "clone-dark.png", "prepare.png")
VOICE_NAME = "Ada Lovelace"
ESPEAK = "/usr/bin/espeak-ng"
WORDS_PER_MINUTE = 150
# Wide enough for the notebook and the widget at Lab's default width; the picture is cropped.
VIEWPORT = {"width": 1200, "height": 1800}
SCALE = 1.5  # device pixels per CSS pixel: sharp text in the README
CARD_TIMEOUT_MS = 180_000
ROWS_TIMEOUT_MS = 120_000

# The three takes of the clone: each over ten seconds of speech, a minute together.
READINGS = {
    "ada-introduction.wav": (
        "Good morning. My name is Ada, and I am recording a few minutes of speech so that a "
        "computer can learn how my voice sounds. I am speaking at my usual pace, in a quiet "
        "room, about a hand's width from the microphone, and I will read three short passages. "
        "The first one is this introduction, the second is a paragraph from an old paper about "
        "a calculating machine, and the last is a few everyday questions."
    ),
    "ada-reading.wav": (
        "The analytical engine weaves algebraic patterns just as the loom weaves flowers and "
        "leaves. It has no pretensions to originate anything; it can do whatever we know how "
        "to order it to perform. Its province is to assist us in making available what we are "
        "already acquainted with. "
        "Those who view mathematical science not merely as a vast body of abstract and "
        "immutable truths will find in it a language through which alone we can adequately "
        "express the great facts of the natural world."
    ),
    "ada-questions.wav": (
        "Could you tell me the way to the library, please? Is it far from here, or can I walk? "
        "Thank you very much. I would also like to know when it opens on Saturdays, and "
        "whether I need a card to borrow books, or only to use the reading room upstairs. "
        "One more thing: is there a quiet place nearby where I could have lunch, and do you "
        "know whether the museum across the square is open today?"
    ),
}

# The takes of the preparation shot: quiet, with long silences before and after the speech.
PREPARE_TAKES = {
    "kitchen take.wav": (
        "This take was recorded on a laptop in the kitchen. The voice is quiet, and there are "
        "a few seconds of nothing before I start and after I stop talking. Preparing the sample "
        "trims that silence and raises the level, so the clone hears the voice and not the "
        "room. You can listen to the file before and after, and the verdict describes the "
        "prepared file that is sent. "
        "Nothing about the words themselves is changed: the pauses between sentences stay "
        "where they are, and no part of the speech is cut. Only the silence at both ends goes, "
        "and the whole take becomes louder, the same amount everywhere, so that the quiet "
        "syllables rise with the loud ones and the voice keeps its own character."
    ),
    "hallway take.wav": (
        "The second take was made in the hallway, far from the microphone, so it is even "
        "quieter than the first. I waited before speaking and stayed silent at the end as "
        "well. After preparation both takes have the same loudness, the silences are gone, "
        "and together they hold more than a minute of clear speech for the new voice to learn "
        "from. If a take were longer than the service accepts, preparing would also split it "
        "into parts at the pauses, and each part would be listed here with its own verdict. "
        "Switch preparation off again to send the original files exactly as they were chosen."
    ),
}
PREPARE_GAIN = 0.08  # about -22 dB: quiet enough for "very quiet" before preparing
PREPARE_LEAD_S = 4.0
PREPARE_TAIL_S = 3.5


#: What `make_screenshots` checks each state with: the problems it finds ([] when coherent).
Check = Callable[[WidgetState, Expected], list[str]]


class IncoherentScreen(AssertionError):
    """The widget showed a state that contradicts itself or the shot's purpose."""


@dataclass(frozen=True)
class Shot:
    """A screenshot written: where, the state it was checked in and what it was checked against."""

    path: Path
    state: WidgetState
    expected: Expected


def speech_wav(path: Path, text: str) -> Path:
    """espeak-ng's reading of `text` (22.05 kHz mono 16-bit PCM WAV) at `path`."""
    if not Path(ESPEAK).exists():
        raise FileNotFoundError(f"{ESPEAK} is missing: apt-get install espeak-ng (make does)")
    subprocess.run(
        [ESPEAK, "-v", "en", "-s", str(WORDS_PER_MINUTE), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def quiet_padded_speech(path: Path, text: str) -> Path:
    """A quiet reading of `text` with `PREPARE_LEAD_S` / `PREPARE_TAIL_S` of silence around it."""
    plain = speech_wav(path.with_name(path.stem + " plain.wav"), text)
    voice, rate = sf.read(str(plain), always_2d=True)
    plain.unlink()
    lead = np.zeros((round(PREPARE_LEAD_S * rate), 1))
    tail = np.zeros((round(PREPARE_TAIL_S * rate), 1))
    sf.write(str(path), np.concatenate([lead, voice * PREPARE_GAIN, tail]), rate, subtype="PCM_16")
    return path


def _chromium(tmp: Path) -> AbstractContextManager[BrowserContext]:
    return chromium(
        tmp,
        default_timeout_ms=60_000,
        viewport=VIEWPORT,
        device_scale_factor=SCALE,
        timezone_id="UTC",
        locale="en-GB",
    )


def _set_theme(page: Page, theme: Literal["light", "dark"]) -> None:
    name = "JupyterLab Dark" if theme == "dark" else "JupyterLab Light"
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', { theme })", name
    )
    light = "true" if theme == "light" else "false"
    page.wait_for_function(
        f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=30_000
    )
    page.wait_for_timeout(500)  # the theme's stylesheet applies


def _open(
    context: BrowserContext, lab: RunningLab, name: str, theme: Literal["light", "dark"]
) -> Page:
    shutil.copyfile(NOTEBOOK, lab.root_dir / name)
    page = open_and_run(context, lab, name)
    _set_theme(page, theme)
    return page


def _click(page: Page, css: str) -> None:
    # The element's own click: rows appearing above a button move it while Playwright aims.
    page.locator(css).evaluate("element => element.click()")


# True once every player in the widget knows its duration and has stopped loading, so the
# players show their lengths (not 0:00) and the same buffered bar at every run.
_PLAYERS_SETTLED = """() => Array.from(
  document.querySelectorAll('.uponai-clone-widget audio'),
).every((audio) => audio.readyState >= 1 && audio.networkState !== 2)"""


def _write(page: Page, path: Path, expected: Expected, check: Check) -> Shot:
    page.wait_for_function(_PLAYERS_SETTLED, timeout=30_000)
    page.mouse.move(0, 0)  # no hover colours
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring
    page.wait_for_timeout(300)
    state = read_widget(page)
    problems = check(state, expected)
    if problems:
        raise IncoherentScreen(
            f"{path.name} not written; the widget shows:\n- " + "\n- ".join(problems)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.locator(".uponai-clone-widget").screenshot(
        path=str(path), animations="disabled", caret="hide"
    )
    return Shot(path, state, expected)


def _clone_shot(
    context: BrowserContext,
    lab: RunningLab,
    sandbox: RunningSandbox,
    takes: list[Path],
    path: Path,
    theme: Literal["light", "dark"],
    check: Check,
) -> Shot:
    page = _open(context, lab, path.stem + ".ipynb", theme)
    choose_files(page, takes, timeout_ms=ROWS_TIMEOUT_MS)
    page.wait_for_function(
        "() => !!document.querySelector('.uponai-overall .uponai-verdict:not(.uponai-verdict-pending)')",
        timeout=ROWS_TIMEOUT_MS,
    )
    fill_text(page, "uponai-name", VOICE_NAME)
    known = set(sandbox.voice_ids(VOICE_NAME))
    _click(page, ".uponai-clone")
    page.locator(".uponai-card .uponai-voice-id").wait_for(timeout=CARD_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelectorAll('.uponai-samples .uponai-row').length === 0",
        timeout=30_000,
    )
    (voice_id,) = [v for v in sandbox.voice_ids(VOICE_NAME) if v not in known]
    stored = sandbox.voice_record(voice_id)["samples"]
    shows = CloneShown(
        name=VOICE_NAME,
        sample_names=tuple(sample["filename"] for sample in stored),
        total_text=format_size(sum(int(sample["size"]) for sample in stored)),
        voice_id=voice_id,
    )
    shot = _write(page, path, Expected(shows, theme), check)
    page.close()
    return shot


def _prepare_shot(
    context: BrowserContext, lab: RunningLab, takes: list[Path], path: Path, check: Check
) -> Shot:
    page = _open(context, lab, path.stem + ".ipynb", "light")
    choose_files(page, takes, timeout_ms=ROWS_TIMEOUT_MS)
    fill_text(page, "uponai-name", VOICE_NAME)
    _click(page, ".uponai-prepare input[type=checkbox]")
    page.wait_for_function(
        """(n) => document.querySelectorAll('.uponai-samples .uponai-prep-ready').length === n
              && !!document.querySelector('.uponai-overall .uponai-verdict:not(.uponai-verdict-pending)')""",
        arg=len(takes),
        timeout=ROWS_TIMEOUT_MS,
    )
    shows = PrepareShown(sample_names=tuple(take.name for take in takes))
    shot = _write(page, path, Expected(shows, "light"), check)
    page.close()
    return shot


def make_screenshots(
    out_dir: Path, work_dir: Path, *, check: Check = coherence_problems
) -> list[Shot]:
    """Write `SHOTS` into `out_dir` (servers, browser and audio files live in `work_dir`).

    `check(state, expected)` lists what is wrong on screen before each shot; when it lists
    anything, `IncoherentScreen` is raised and `out_dir` is left as it was (all or nothing).
    """
    audio = work_dir / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    readings = [speech_wav(audio / name, text) for name, text in READINGS.items()]
    quiet = [quiet_padded_speech(audio / name, text) for name, text in PREPARE_TAKES.items()]
    drafts = work_dir / "shots"
    with start_sandbox(work_dir / "sandbox" / "data") as sandbox:
        kernel_env = {
            "UPONAI_BASE_URL": sandbox.url,
            "UPONAI_API_KEY": sandbox.token,
            "UPONAI_WORKSPACE_ID": "1",
        }
        root = work_dir / "lab-root"
        root.mkdir()
        with (
            start_lab(work_dir / "lab", root, kernel_env=kernel_env) as lab,
            # Chromium's singleton socket path must stay under 108 bytes: a short folder.
            tempfile.TemporaryDirectory(prefix="uponai-shots-") as browser_dir,
            _chromium(Path(browser_dir)) as context,
        ):
            shots = [
                _clone_shot(context, lab, sandbox, readings, drafts / SHOTS[0], "light", check),
                _clone_shot(context, lab, sandbox, readings, drafts / SHOTS[1], "dark", check),
                _prepare_shot(context, lab, quiet, drafts / SHOTS[2], check),
            ]
    # Only when every shot passed its checks do the pictures replace the old ones.
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for shot in shots:
        target = out_dir / shot.path.name
        shutil.move(shot.path, target)
        written.append(Shot(target, shot.state, shot.expected))
    return written

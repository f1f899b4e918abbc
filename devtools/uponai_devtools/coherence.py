"""Is the clone widget on screen in one coherent state? Checked from what its DOM shows.

`read_widget(page)` collects the texts a person sees (rows, badges, footer, overall verdict,
status, upload figures, error and restart banners, cards, the Prepare switch, the theme) into a
`WidgetState`; `coherence_problems(state, expected)` says, in words, everything on screen that
does not describe the state the screenshot is meant to show. It is pure Python, so it is tested
on hand-made states as well as used before every screenshot of `make screenshots`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from playwright.sync_api import Page

from uponai_widgets.audio._verdict import Verdict

__all__ = [
    "API_VERDICTS",
    "CloneShown",
    "Expected",
    "PrepareShown",
    "RowShown",
    "WidgetState",
    "coherence_problems",
    "read_widget",
]

#: The verdicts as the Python API names them (`SampleReport.verdict`): a badge showing anything
#: else is a word the API does not return, or a sample not judged yet.
API_VERDICTS: tuple[str, ...] = get_args(Verdict)

_STATUS_CLONED = re.compile(r"Cloned voice (\S+) from (\d+) samples?\.")
_FOOTER = re.compile(r"^(\d+) files?, (.+?) in the kernel(?: \((.+) prepared\))?$")
_OVERALL_COUNT = re.compile(r"\b(\d+) samples?,")
_CARD_COUNT = re.compile(r"\bfrom (\d+) samples?\b")
_UPLOAD = re.compile(r"^(.+) / (.+)$")
_PREPARED_NOTE = "prepared file (what Clone sends)"


@dataclass(frozen=True)
class RowShown:
    """One sample row as shown: name, state (``ready``, ``receiving``...), badge texts, size;
    with Prepare samples on, the preparation's state, its listed changes, its before/after
    pictures and the report's summary line."""

    name: str
    state: str
    badges: tuple[str, ...]
    size_text: str = ""
    prep_state: str = "none"
    prep_changes: tuple[str, ...] = ()
    prep_figures: int = 0
    summary: str = ""


@dataclass(frozen=True)
class WidgetState:
    """Everything the clone widget shows that a screenshot could contradict itself on."""

    rows: tuple[RowShown, ...]
    footer: str = ""
    overall: str = ""
    overall_badges: tuple[str, ...] = ()
    status: str = ""
    upload: str = ""
    error: str = ""
    banners: tuple[str, ...] = ()
    card_ids: tuple[str, ...] = ()
    card_names: tuple[str, ...] = ()
    card_texts: tuple[str, ...] = ()
    prepare_on: bool = False
    dark: bool = False


@dataclass(frozen=True)
class CloneShown:
    """A finished clone: the voice `name`, the samples sent, their total size as the upload
    figures write it (``format_size``) and the id the server gave the voice."""

    name: str
    sample_names: tuple[str, ...]
    total_text: str
    voice_id: str


@dataclass(frozen=True)
class PrepareShown:
    """Prepare samples on, these samples chosen and prepared, nothing cloned yet."""

    sample_names: tuple[str, ...]


@dataclass(frozen=True)
class Expected:
    """What one screenshot is meant to show, its theme and the verdict every badge must read."""

    shows: CloneShown | PrepareShown
    theme: Literal["light", "dark"]
    verdict: str = "good"


def _badge_problems(where: str, badges: Sequence[str], verdict: str) -> list[str]:
    problems = []
    for badge in badges:
        if badge not in API_VERDICTS:
            problems.append(f"{where} shows a {badge!r} badge: not one of the API's {API_VERDICTS}")
        elif badge != verdict:
            problems.append(f"{where} shows {badge!r} where the shot means {verdict!r}")
    return problems


def _row_problems(state: WidgetState, expected: Expected) -> list[str]:
    problems = []
    for row in state.rows:
        if row.state != "ready":
            problems.append(f"row {row.name!r} is {row.state!r}, not arrived")
        if row.prep_state == "preparing":
            problems.append(f"row {row.name!r} is still preparing")
        if not row.badges:
            problems.append(f"row {row.name!r} has no verdict badge yet")
        problems += _badge_problems(f"row {row.name!r}", row.badges, expected.verdict)
    return problems


def _common_problems(state: WidgetState, expected: Expected) -> list[str]:
    problems = []
    if state.dark != (expected.theme == "dark"):
        shown = "dark" if state.dark else "light"
        problems.append(f"the page is in the {shown} theme, the shot is the {expected.theme} one")
    if state.error:
        problems.append(f"an error banner is shown: {state.error!r}")
    problems += [f"a restart banner is shown: {text!r}" for text in state.banners]
    problems += _row_problems(state, expected)
    problems += _badge_problems("the overall verdict", state.overall_badges, expected.verdict)
    return problems


def _clone_problems(state: WidgetState, shows: CloneShown) -> list[str]:
    problems = []
    count = len(shows.sample_names)
    if len(state.card_ids) != 1:
        problems.append(f"{len(state.card_ids)} voice cards are shown, not the one clone")
    elif state.card_ids[0] != shows.voice_id:
        problems.append(f"the card shows {state.card_ids[0]!r}, the clone made {shows.voice_id!r}")
    if state.card_names and state.card_names[0] != shows.name:
        problems.append(f"the card is named {state.card_names[0]!r}, not {shows.name!r}")
    for card in state.card_texts:
        said = _CARD_COUNT.search(card)
        if said is not None and int(said.group(1)) != count:
            problems.append(f"the card says cloned from {said.group(1)} samples; {count} were sent")
    cloned = _STATUS_CLONED.search(state.status)
    if cloned is None:
        problems.append(f"the status does not say what was cloned: {state.status!r}")
    else:
        if cloned.group(1) != shows.voice_id:
            problems.append(f"the status names {cloned.group(1)!r}, the card {shows.voice_id!r}")
        if int(cloned.group(2)) != count:
            problems.append(f"the status says {cloned.group(2)} samples; {count} were sent")
    if state.rows:
        names = tuple(row.name for row in state.rows)
        if len(names) != count:
            problems.append(
                f"{len(names)} sample rows are shown next to a voice cloned from {count} samples"
            )
        elif sorted(names) != sorted(shows.sample_names):
            problems.append(f"the rows {names} are not the samples sent {shows.sample_names}")
    upload = _UPLOAD.match(state.upload.strip())
    if upload is None:
        problems.append(f"the upload figures are not 'sent / total': {state.upload!r}")
    elif upload.group(1) != upload.group(2) or upload.group(2) != shows.total_text:
        problems.append(
            f"the upload reads {state.upload!r}; the {count} samples sent make {shows.total_text}"
        )
    if state.prepare_on:
        problems.append("Prepare samples is on, but this shot shows a clone of the originals")
    return problems


def _prepare_problems(state: WidgetState, shows: PrepareShown) -> list[str]:
    problems = []
    count = len(shows.sample_names)
    if not state.prepare_on:
        problems.append("Prepare samples is off")
    names = tuple(row.name for row in state.rows)
    if sorted(names) != sorted(shows.sample_names):
        problems.append(f"the rows {names} are not the samples chosen {shows.sample_names}")
    for row in state.rows:
        if row.prep_state != "ready":
            problems.append(f"row {row.name!r}: preparation {row.prep_state!r}, not ready")
        if not row.prep_changes:
            problems.append(f"row {row.name!r} does not say what preparing changed")
        if row.prep_figures != 2:
            problems.append(f"row {row.name!r} shows {row.prep_figures} of before/after")
        if _PREPARED_NOTE not in row.summary:
            problems.append(f"row {row.name!r}: its report is not the prepared file's")
    footer = _FOOTER.match(state.footer.strip())
    if footer is None or int(footer.group(1)) != count:
        problems.append(f"the list's total {state.footer!r} does not count {count} files")
    elif footer.group(3) is None:
        problems.append(f"the list's total {state.footer!r} does not say what the prepared make")
    overall = _OVERALL_COUNT.search(state.overall)
    if overall is None or int(overall.group(1)) != count:
        problems.append(f"the overall verdict {state.overall!r} is not over {count} samples")
    if state.card_ids:
        problems.append(f"a voice card is shown ({state.card_ids}): nothing was cloned here")
    if state.status.strip():
        problems.append(f"a status from another action is shown: {state.status!r}")
    return problems


def coherence_problems(state: WidgetState, expected: Expected) -> list[str]:
    """Everything on screen that contradicts `expected` or the rest of the screen ([] if none)."""
    problems = _common_problems(state, expected)
    if isinstance(expected.shows, CloneShown):
        problems += _clone_problems(state, expected.shows)
    else:
        problems += _prepare_problems(state, expected.shows)
    return problems


# What the widget shows, read in the page (visible elements only).
_READ = """() => {
  const root = document.querySelector('.uponai-clone-widget');
  const shown = (el) => !!el && el.offsetParent !== null
    && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).display !== 'none';
  const text = (el) => (el && shown(el) ? el.innerText.trim() : '');
  const badges = (el) => Array.from(el.querySelectorAll('.uponai-badge'))
    .filter(shown).map((b) => b.innerText.trim());
  const rows = Array.from(root.querySelectorAll('.uponai-samples .uponai-row')).map((row) => {
    const state = Array.from(row.classList).find((c) => c.startsWith('uponai-row-'));
    const prep = row.querySelector('.uponai-prep');
    const prepState = prep ? Array.from(prep.classList).find((c) => c.startsWith('uponai-prep-')) : '';
    return {
      name: row.querySelector('.uponai-row-name').innerText.trim(),
      state: state ? state.slice('uponai-row-'.length) : '',
      badges: badges(row.querySelector('.uponai-row-line')),
      size_text: text(row.querySelector('.uponai-row-size')),
      prep_state: prepState ? prepState.slice('uponai-prep-'.length) : 'none',
      prep_changes: Array.from(row.querySelectorAll('.uponai-prep-changes li'),
                               (li) => li.innerText.trim()),
      prep_figures: row.querySelectorAll('.uponai-prep-before svg, .uponai-prep-after svg').length,
      summary: text(row.querySelector('.uponai-row-details summary')),
    };
  });
  const overall = root.querySelector('.uponai-overall');
  const upload = root.querySelector('.uponai-progress');
  return {
    rows,
    footer: text(root.querySelector('.uponai-samples-total')),
    overall: text(overall),
    overall_badges: overall ? badges(overall) : [],
    status: text(root.querySelector('.uponai-status')),
    upload: upload ? text(upload.nextElementSibling) : '',
    error: text(root.querySelector('.uponai-error')),
    banners: Array.from(document.querySelectorAll('.uponai-gone')).filter(shown)
      .map((b) => b.innerText.trim()),
    card_ids: Array.from(root.querySelectorAll('.uponai-card .uponai-voice-id'),
                         (el) => el.innerText.trim()),
    card_names: Array.from(root.querySelectorAll('.uponai-card .uponai-voice-name'),
                           (el) => el.innerText.trim()),
    card_texts: Array.from(root.querySelectorAll('.uponai-card .uponai-voice'),
                           (el) => el.innerText.trim()),
    prepare_on: !!root.querySelector('.uponai-prepare input[type=checkbox]:checked'),
    dark: document.body.dataset.jpThemeLight === 'false',
  };
}"""


def read_widget(page: Page) -> WidgetState:
    """The clone widget's `WidgetState`, read from the page's DOM."""
    raw: dict[str, Any] = page.evaluate(_READ)
    rows = tuple(
        RowShown(
            name=row["name"],
            state=row["state"],
            badges=tuple(row["badges"]),
            size_text=row["size_text"],
            prep_state=row["prep_state"],
            prep_changes=tuple(row["prep_changes"]),
            prep_figures=int(row["prep_figures"]),
            summary=row["summary"],
        )
        for row in raw["rows"]
    )
    return WidgetState(
        rows=rows,
        footer=raw["footer"],
        overall=raw["overall"],
        overall_badges=tuple(raw["overall_badges"]),
        status=raw["status"],
        upload=raw["upload"],
        error=raw["error"],
        banners=tuple(raw["banners"]),
        card_ids=tuple(raw["card_ids"]),
        card_names=tuple(raw["card_names"]),
        card_texts=tuple(raw["card_texts"]),
        prepare_on=bool(raw["prepare_on"]),
        dark=bool(raw["dark"]),
    )

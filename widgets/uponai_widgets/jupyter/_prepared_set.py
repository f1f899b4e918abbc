"""What Clone sends while "Prepare samples" is on: the `PreparedSample` of each frozen sample.

`prepared_set` waits for the preparations still running, then returns the prepared samples with
their `SampleInfo` (the prepared files' names and sizes), or the reasons some cannot be sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from ._sample_list import SampleList, SampleRef
from ._samples_html import SampleInfo

__all__ = ["prepare_toggle", "prepared_set"]


def prepare_toggle(on_change: Callable[[bool], None]) -> Any:
    """The "Prepare samples" switch (off); `on_change(on)` runs when it is flipped."""
    switch = ipywidgets.Checkbox(
        value=False,
        description="Prepare samples",
        indent=False,
        tooltip="Trim silence and even out loudness before sending (hear before and after)",
        layout=ipywidgets.Layout(width="auto"),
    )
    switch.add_class("uponai-prepare")
    switch.add_class("uponai-switch")
    switch.observe(lambda change: on_change(bool(change["new"])), names="value")
    return switch


async def prepared_set(
    samples: SampleList, refs: Sequence[SampleRef], on_wait: Callable[[str], None]
) -> tuple[list[Any], list[SampleInfo], list[str]]:
    """(prepared samples, their infos, problems): the problems say which sample is not ready."""
    await samples.preparations.wait(refs, on_wait)
    sent: list[Any] = []
    infos: list[SampleInfo] = []
    problems: list[str] = []
    for ref in refs:
        prep, problem = samples.prepared(ref)
        if prep is None or prep.prepared is None or prep.sent is None:
            problems.append(str(problem))
            continue
        sent.append(prep.prepared)
        infos.append(prep.sent)
    return sent, infos, problems

"""The coherence check `make screenshots` runs before each picture, on hand-made widget states.

A coherent state passes; each way a screenshot could contradict itself (rows of another clone
beside the card, a card or status counting other samples, upload figures of other files, a row
still arriving or preparing, an error banner, a badge that is not the API's word, the wrong
theme) is named in the problems, so the script refuses to write the picture.
"""

from __future__ import annotations

import dataclasses

from uponai_devtools.coherence import (
    CloneShown,
    Expected,
    PrepareShown,
    RowShown,
    WidgetState,
    coherence_problems,
)

NAMES = ("ada-introduction.wav", "ada-reading.wav", "ada-questions.wav")
VOICE_ID = "voice_0123abc"
CLONE = Expected(
    CloneShown(name="Ada Lovelace", sample_names=NAMES, total_text="3.5 MiB", voice_id=VOICE_ID),
    theme="light",
)
CLONED = WidgetState(
    rows=(),
    status=f"Cloned voice {VOICE_ID} from 3 samples.",
    upload="3.5 MiB / 3.5 MiB",
    card_ids=(VOICE_ID,),
    card_names=("Ada Lovelace",),
    card_texts=("Ada Lovelace\nDescription\tCloned in the UponAI sandbox from 3 sample(s)",),
)


def ready_row(name: str, badge: str = "good") -> RowShown:
    return RowShown(name=name, state="ready", badges=(badge,), size_text="1.1 MiB")


def prepared_row(name: str, prep_state: str = "ready") -> RowShown:
    return RowShown(
        name=name,
        state="ready",
        badges=("good",),
        prep_state=prep_state,
        prep_changes=("trimmed 3.7 s of silence at the start",),
        prep_figures=2,
        summary="Report: prepared file (what Clone sends)",
    )


TAKES = ("kitchen take.wav", "hallway take.wav")
PREPARE = Expected(PrepareShown(sample_names=TAKES), theme="light")
PREPARED = WidgetState(
    rows=tuple(prepared_row(name) for name in TAKES),
    footer="2 files, 4.1 MiB in the kernel (2.0 MiB prepared)",
    overall="Overall: good 2 samples, 73.3 s of speech. Ready to clone.",
    overall_badges=("good",),
    prepare_on=True,
)


def test_a_coherent_clone_and_a_coherent_preparation_pass() -> None:
    assert coherence_problems(CLONED, CLONE) == []
    assert coherence_problems(PREPARED, PREPARE) == []
    # Rows left on screen are fine only when they are the very samples sent.
    same_rows = dataclasses.replace(CLONED, rows=tuple(ready_row(name) for name in NAMES))
    assert coherence_problems(same_rows, CLONE) == []


def test_three_rows_beside_a_card_cloned_from_two_samples_is_rejected() -> None:
    two = Expected(dataclasses.replace(CLONE.shows, sample_names=NAMES[:2]), theme="light")
    state = dataclasses.replace(
        CLONED,
        rows=tuple(ready_row(name) for name in NAMES),
        status=f"Cloned voice {VOICE_ID} from 2 samples.",
        card_texts=("Cloned in the UponAI sandbox from 2 sample(s)",),
    )
    problems = coherence_problems(state, two)
    assert problems == ["3 sample rows are shown next to a voice cloned from 2 samples"]


def test_a_card_or_status_counting_other_samples_is_rejected() -> None:
    state = dataclasses.replace(
        CLONED,
        status=f"Cloned voice {VOICE_ID} from 2 samples.",
        card_texts=("Cloned in the UponAI sandbox from 2 sample(s)",),
    )
    assert coherence_problems(state, CLONE) == [
        "the card says cloned from 2 samples; 3 were sent",
        "the status says 2 samples; 3 were sent",
    ]


def test_upload_figures_of_other_files_are_rejected() -> None:
    state = dataclasses.replace(CLONED, upload="63.0 KiB / 63.0 KiB")
    (problem,) = coherence_problems(state, CLONE)
    assert "63.0 KiB" in problem
    assert "3.5 MiB" in problem
    unfinished = dataclasses.replace(CLONED, upload="1.2 MiB / 3.5 MiB")
    assert len(coherence_problems(unfinished, CLONE)) == 1


def test_a_second_card_or_another_voice_is_rejected() -> None:
    two_cards = dataclasses.replace(CLONED, card_ids=(VOICE_ID, "voice_older"))
    assert coherence_problems(two_cards, CLONE) == ["2 voice cards are shown, not the one clone"]
    other = dataclasses.replace(CLONED, card_ids=("voice_older",))
    assert coherence_problems(other, CLONE) == [
        f"the card shows 'voice_older', the clone made {VOICE_ID!r}"
    ]


def test_a_warning_badge_is_rejected_as_not_the_apis_word() -> None:
    rows = (ready_row(NAMES[0], badge="warning"),)
    state = dataclasses.replace(CLONED, rows=rows)
    problems = coherence_problems(state, CLONE)
    assert (
        "row 'ada-introduction.wav' shows a 'warning' badge: not one of the API's "
        "('good', 'warn', 'bad')" in problems
    )
    overall = dataclasses.replace(PREPARED, overall_badges=("warning",))
    assert any("'warning' badge" in p for p in coherence_problems(overall, PREPARE))
    # The API's own word, but not what the shot means to show.
    warned = dataclasses.replace(PREPARED, overall_badges=("warn",))
    assert coherence_problems(warned, PREPARE) == [
        "the overall verdict shows 'warn' where the shot means 'good'"
    ]


def test_a_row_still_arriving_or_analysed_is_rejected() -> None:
    arriving = RowShown(name=TAKES[0], state="receiving", badges=())
    state = dataclasses.replace(PREPARED, rows=(arriving, prepared_row(TAKES[1])))
    problems = coherence_problems(state, PREPARE)
    assert "row 'kitchen take.wav' is 'receiving', not arrived" in problems
    assert "row 'kitchen take.wav' has no verdict badge yet" in problems
    analysing = dataclasses.replace(prepared_row(TAKES[0]), badges=("analysing",))
    state = dataclasses.replace(PREPARED, rows=(analysing, prepared_row(TAKES[1])))
    assert any("'analysing' badge" in p for p in coherence_problems(state, PREPARE))


def test_a_row_still_preparing_or_showing_no_change_is_rejected() -> None:
    preparing = dataclasses.replace(
        prepared_row(TAKES[0], prep_state="preparing"), prep_changes=(), prep_figures=0
    )
    state = dataclasses.replace(PREPARED, rows=(preparing, prepared_row(TAKES[1])))
    assert coherence_problems(state, PREPARE) == [
        "row 'kitchen take.wav' is still preparing",
        "row 'kitchen take.wav': preparation 'preparing', not ready",
        "row 'kitchen take.wav' does not say what preparing changed",
        "row 'kitchen take.wav' shows 0 of before/after",
    ]
    original = dataclasses.replace(prepared_row(TAKES[0]), summary="Report")
    state = dataclasses.replace(PREPARED, rows=(original, prepared_row(TAKES[1])))
    assert coherence_problems(state, PREPARE) == [
        "row 'kitchen take.wav': its report is not the prepared file's"
    ]


def test_a_preparation_shot_with_the_switch_off_or_a_stale_clone_is_rejected() -> None:
    state = dataclasses.replace(
        PREPARED,
        prepare_on=False,
        card_ids=(VOICE_ID,),
        status=f"Cloned voice {VOICE_ID} from 1 sample.",
        footer="3 files, 5.0 MiB in the kernel",
    )
    problems = coherence_problems(state, PREPARE)
    assert problems[0] == "Prepare samples is off"
    assert any("does not count 2 files" in p for p in problems)
    assert any("nothing was cloned here" in p for p in problems)
    assert any("a status from another action" in p for p in problems)


def test_an_error_or_restart_banner_is_rejected() -> None:
    state = dataclasses.replace(
        CLONED,
        error="Clone failed: HTTP 503",
        banners=("The kernel restarted: run the cell again",),
    )
    assert coherence_problems(state, CLONE) == [
        "an error banner is shown: 'Clone failed: HTTP 503'",
        "a restart banner is shown: 'The kernel restarted: run the cell again'",
    ]


def test_the_wrong_theme_is_rejected() -> None:
    dark = Expected(CLONE.shows, theme="dark")
    assert coherence_problems(CLONED, dark) == [
        "the page is in the light theme, the shot is the dark one"
    ]
    assert coherence_problems(dataclasses.replace(CLONED, dark=True), dark) == []


def test_a_preparation_shot_whose_total_counts_only_the_originals_is_rejected() -> None:
    state = dataclasses.replace(PREPARED, footer="2 files, 4.1 MiB in the kernel")
    assert coherence_problems(state, PREPARE) == [
        "the list's total '2 files, 4.1 MiB in the kernel' does not say what the prepared make"
    ]

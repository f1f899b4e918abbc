"""The command line holds an impersonation reason as a `Secret` from the moment its options are
read: the frames below (`run_clone`, the batch's defaults, the SDK) never hold it as text, so a
traceback with locals (stdlib `capture_locals`, rich's `show_locals`, error reporters) cannot
show it."""

from __future__ import annotations

import traceback

import uponai_widgets as uw
from uponai_widgets.cli._fields import field_values

REASON = "ticket 4711: customer asked by phone"


def test_the_reason_from_the_options_is_a_secret_in_the_fields() -> None:
    fields = field_values(
        {"name": "Ada", "actor_type": None, "impersonation_reason": REASON, "tenant_id": "t1"}
    )
    assert isinstance(fields["impersonation_reason"], uw.Secret)
    assert fields["impersonation_reason"].reveal() == REASON
    assert fields["tenant_id"] == "t1"
    assert REASON not in repr(fields)


def test_a_traceback_with_locals_of_the_fields_does_not_show_the_reason() -> None:
    def fails(fields: dict[str, object]) -> None:
        raise RuntimeError("the upload broke")

    try:
        fails(field_values({"name": "Ada", "impersonation_reason": REASON}))
    except RuntimeError as error:
        shown = "".join(
            traceback.TracebackException.from_exception(error, capture_locals=True).format()
        )
    assert "the upload broke" in shown
    assert "fields = " in shown, "the renderer shows the locals"
    assert REASON not in shown

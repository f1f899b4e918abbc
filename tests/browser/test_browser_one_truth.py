"""One widget, one truth in real JupyterLab: one restart banner in the widget's font, the voice card
drawn the same wherever it is shown (scoped styles: Lab's table styles do not leak in), the
Prepare switch drawn as a switch and the "More fields" inputs aligned with the form.
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest
from playwright.sync_api import BrowserContext, Page

from uponai_devtools.browser import KERNEL_IDLE, open_and_run, screenshot
from uponai_devtools.lab import NOTEBOOK, RunningLab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

RESTART_KERNEL = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  panel.sessionContext.session.kernel.restart();
}"""

# Every restart banner the user can see: the elements, and any text drawn by ::before / ::after.
VISIBLE_BANNERS = """() => {
  const shown = [];
  for (const el of document.querySelectorAll('.uponai-gone')) {
    const style = getComputedStyle(el);
    if (el.offsetParent !== null && style.display !== 'none' && style.visibility !== 'hidden') {
      shown.push({ text: el.textContent, font: style.fontFamily });
    }
  }
  const drawn = [];
  for (const el of document.querySelectorAll('.uponai-clone-widget, .uponai-clone-widget *')) {
    for (const pseudo of ['::before', '::after']) {
      const content = getComputedStyle(el, pseudo).content;
      if (content && content !== 'none' && content !== 'normal' && /[a-z]/i.test(content)) {
        drawn.push(`${el.className} ${pseudo}: ${content}`);
      }
    }
  }
  const ui = getComputedStyle(document.querySelector('.uponai-clone')).fontFamily;
  return { shown, drawn, ui };
}"""


def test_a_kernel_restart_shows_one_banner_in_the_widgets_font(
    browser: BrowserContext, lab: RunningLab, notebook: str
) -> None:
    page = open_and_run(browser, lab, notebook)
    page.evaluate(RESTART_KERNEL)
    page.locator(".uponai-clone-widget.jupyter-widgets-disconnected").wait_for(timeout=30_000)
    banner = page.locator(".uponai-picker-box .uponai-gone")
    banner.wait_for(state="visible", timeout=30_000)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)  # every part has heard of the restart
    page.wait_for_timeout(500)
    found = page.evaluate(VISIBLE_BANNERS)
    assert found["drawn"] == []
    assert len(found["shown"]) == 1, found
    (shown,) = found["shown"]
    assert "run the cell again" in shown["text"]
    assert shown["font"] == found["ui"]  # the widget's own font, not a fallback
    screenshot(page, "browser-kernel-restarted-one-banner.png")
    page.close()


CARD_NOTEBOOK_CELLS = [
    """import datetime
from IPython.display import display
from uponai_client.models import Voice
from uponai_widgets import VoiceCard, VoiceCloneWidget

voice = Voice(
    voice_id="vc_123abc", name="Narrator", gender="female", language="en-GB",
    accent="british", description="Calm narration", provider="elevenlabs",
    preview_url="http://127.0.0.1:9/preview/abc.wav", tags=["calm", "clone"],
    created_at=datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC),
)
widget = VoiceCloneWidget(workspace_id=1)
widget.voice = voice
widget.result.children = (VoiceCard(voice),)
widget""",
    "display(voice)",
    "widget.voice",
]

# Computed styles of every element of each card on the page, in document order.
CARD_STYLES = """() => {
  const props = ['text-align', 'background-color', 'color', 'font-family', 'font-size',
    'font-weight', 'line-height', 'padding-top', 'padding-right', 'padding-bottom',
    'padding-left', 'border-top-width', 'border-bottom-width', 'border-left-width',
    'vertical-align', 'white-space', 'display', 'width', 'margin-left'];
  return Array.from(document.querySelectorAll('.uponai-voice'), (card) => {
    const rows = [];
    for (const el of [card, ...card.querySelectorAll('*')]) {
      if (el.tagName === 'STYLE' || el.tagName === 'SCRIPT') continue;
      const style = getComputedStyle(el);
      const values = {};
      for (const p of props) values[p] = style.getPropertyValue(p);
      rows.push({ tag: el.tagName.toLowerCase(), css: el.className, values });
    }
    return rows;
  });
}"""

HOVER_BACKGROUND = """(index) => {
  const card = document.querySelectorAll('.uponai-voice')[index];
  return Array.from(card.querySelectorAll('tr'), (tr) => getComputedStyle(tr).backgroundColor);
}"""


def open_card_notebook(browser: BrowserContext, lab: RunningLab, name: str) -> Page:
    notebook = nbformat.v4.new_notebook(metadata=nbformat.read(NOTEBOOK, as_version=4).metadata)
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CARD_NOTEBOOK_CELLS]
    nbformat.write(notebook, str(lab.root_dir / name))
    page = open_and_run(browser, lab, name)
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('.uponai-voice').length === 3", timeout=30_000
        )
    except Exception as exc:
        outputs = page.locator(".jp-OutputArea").all_inner_texts()
        raise AssertionError(f"three cards expected; outputs: {outputs}") from exc
    return page


def differences(first: list[dict[str, Any]], other: list[dict[str, Any]]) -> list[str]:
    """Each element's properties that differ: ``td.x text-align: left != right``."""
    out = [f"{len(first)} elements vs {len(other)}"] if len(first) != len(other) else []
    for a, b in zip(first, other, strict=False):
        where = f"{a['tag']}.{a['css']}"
        if (a["tag"], a["css"]) != (b["tag"], b["css"]):
            out.append(f"{where} vs {b['tag']}.{b['css']}")
            continue
        for name, value in a["values"].items():
            if b["values"][name] != value:
                out.append(f"{where} {name}: {value} != {b['values'][name]}")
    return out


def test_the_voice_card_looks_the_same_wherever_it_is_shown(
    browser: BrowserContext, lab: RunningLab
) -> None:
    page = open_card_notebook(browser, lab, "card_everywhere.ipynb")
    inside, displayed, attribute = page.evaluate(CARD_STYLES)
    assert len(inside) > 10
    for other in (displayed, attribute):
        found = differences(inside, other)
        assert not found, "\n".join(found)
    th_td = [row for row in displayed if row["tag"] in ("th", "td")]
    assert th_td
    assert {row["values"]["text-align"] for row in th_td} == {"left"}  # Lab right-aligns cells
    backgrounds = {row["values"]["background-color"] for row in displayed if row["tag"] == "tr"}
    assert backgrounds == {"rgba(0, 0, 0, 0)"}  # no stripes
    page.locator(".jp-OutputArea-output .uponai-voice tr").nth(1).hover()
    assert set(page.evaluate(HOVER_BACKGROUND, 1)) == {"rgba(0, 0, 0, 0)"}  # no hover colour
    page.close()


# The left edge of each text input of the form (required fields and "More fields").
INPUT_EDGES = """() => {
  const root = document.querySelector('.uponai-clone-widget');
  const edges = (sel) => Array.from(root.querySelectorAll(sel), (el) => el.getBoundingClientRect())
    .filter((r) => r.width > 0).map((r) => Math.round(r.left));
  return {
    top: edges(':scope > .widget-text input, :scope > .widget-dropdown select'),
    more: edges('.uponai-advanced .widget-text input, .uponai-advanced .widget-dropdown select'),
  };
}"""

CHAIN = """() => {
  const out = [];
  let el = document.querySelector('.uponai-advanced .widget-text input');
  while (el && !el.classList.contains('uponai-clone-widget')) {
    const s = getComputedStyle(el);
    out.push(`${el.tagName}.${el.className} pl=${s.paddingLeft} bl=${s.borderLeftWidth} ml=${s.marginLeft} x=${Math.round(el.getBoundingClientRect().left)}`);
    el = el.parentElement;
  }
  return out;
}"""

SWITCH = """() => {
  const box = document.querySelector('.uponai-prepare input[type=checkbox]');
  const style = getComputedStyle(box);
  const knob = getComputedStyle(box, '::before');
  const rect = box.getBoundingClientRect();
  return { appearance: style.appearance, width: rect.width, height: rect.height,
           radius: style.borderTopLeftRadius, knob: knob.content, checked: box.checked,
           background: style.backgroundColor };
}"""


def test_the_prepare_switch_and_the_more_fields_line_up_with_the_form(
    browser: BrowserContext, lab: RunningLab
) -> None:
    page = open_card_notebook(browser, lab, "form_alignment.ipynb")
    page.locator(".uponai-clone-widget .uponai-advanced").get_by_text("More fields").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.uponai-advanced .widget-text input').length > 0"
        " && document.querySelector('.uponai-advanced .widget-text input').offsetParent !== null"
    )
    edges = page.evaluate(INPUT_EDGES)
    assert edges["top"], edges
    assert edges["more"], edges
    chain = "\n".join([str(edges), *page.evaluate(CHAIN)])
    assert set(edges["more"]) == set(edges["top"]), chain
    off = page.evaluate(SWITCH)
    assert off["appearance"] == "none"
    assert off["width"] > 1.5 * off["height"], off  # a track, not a square box
    assert off["knob"] == '""'
    page.locator(".uponai-prepare input[type=checkbox]").click()
    # The track's colour changes over a 0.15 s transition: wait (bounded) for its end.
    page.wait_for_function(
        "(before) => getComputedStyle(document.querySelector("
        "'.uponai-prepare input[type=checkbox]')).backgroundColor !== before",
        arg=off["background"],
        timeout=5_000,
    )
    on = page.evaluate(SWITCH)
    assert on["checked"] is True
    assert on["background"] != off["background"]
    screenshot(page, "browser-form-aligned.png")
    page.close()

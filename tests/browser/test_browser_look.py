"""How the widget looks in JupyterLab's light and dark themes: nothing cut off, readable, copyable.

With three samples chosen and a cloned card shown, every label fits its box (``scrollWidth <=
clientWidth``), every text has a contrast of at least 4.5:1 against what is behind it (WCAG AA;
disabled controls are exempt, as WCAG says) in both themes, and the card's copy button puts the
voice id on the clipboard. Its screenshots go to test-artifacts/ (the README shows those of
`make screenshots`, in docs/screenshots/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from uponai_devtools.browser import choose_files, fill_text, open_and_run, screenshot
from uponai_devtools.lab import RunningLab
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

# Elements (inside the widget) whose text is cut: scrollWidth > clientWidth.
CUT_LABELS = """() => {
  const root = document.querySelector('.uponai-clone-widget');
  const picks = '.widget-label, .widget-label-basic, label, button, summary, .uponai-badge,'
    + ' .uponai-row-name, .uponai-row-size, .uponai-row-duration, .uponai-voice th,'
    + ' .p-Accordion-title, .lm-AccordionPanel-title, .jupyter-widget-Collapse-header';
  const cut = [];
  let checked = 0;
  for (const el of root.querySelectorAll(picks)) {
    if (!el.offsetParent || el.clientWidth === 0) continue;
    checked += 1;
    if (el.scrollWidth > el.clientWidth) {
      cut.push(`${el.className}: "${el.textContent.trim()}" ${el.scrollWidth}>${el.clientWidth}`);
    }
  }
  return { cut, checked };
}"""

# Text whose contrast against its (composited) background is under 4.5:1.
LOW_CONTRAST = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + base[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let base = [255, 255, 255, 1];
    if (!layers.length || layers[layers.length - 1][3] < 1) {
      const body = parse(getComputedStyle(document.body).backgroundColor);
      if (body[3] >= 1) base = body;
    }
    for (let i = layers.length - 1; i >= 0; i -= 1) base = over(layers[i], base);
    return base;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const root = document.querySelector('.uponai-clone-widget');
  const low = [];
  let checked = 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const el = text.parentElement;
    if (!text.textContent.trim() || !el || !el.offsetParent) continue;
    if (el.closest('svg, style, script, [hidden], :disabled, .mod-disabled')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked += 1;
    if (ratio < 4.5) low.push(`${el.className || el.tagName}: "${text.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}`);
  }
  return { low, checked };
}"""


def check_readable(page: Page, theme: str) -> None:
    cut = page.evaluate(CUT_LABELS)
    assert cut["checked"] > 10
    assert cut["cut"] == [], f"{theme}: {cut['cut']}"
    contrast = page.evaluate(LOW_CONTRAST)
    assert contrast["checked"] > 20
    assert contrast["low"] == [], f"{theme}: {contrast['low']}"


def test_light_and_dark_theme_readable_uncut_and_copy_works(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    first = [write_wav(tmp_path / f"first-{i}.wav", seconds=1.0, freq=200 + 50 * i) for i in (1, 2)]
    takes = [
        write_wav(tmp_path / "ada-intro.wav", seconds=6.0, freq=220),
        write_wav(tmp_path / "ada-reading.wav", seconds=9.0, freq=260),
        write_wav(tmp_path / "ada-questions.wav", seconds=4.5, freq=300),
    ]
    page = open_and_run(browser, lab, notebook)
    choose_files(page, first)
    fill_text(page, "uponai-name", "Ada Lovelace")
    page.locator(".uponai-clone").click()
    page.locator(".uponai-card .uponai-voice-id").wait_for(timeout=90_000)
    voice_id = page.locator(".uponai-card .uponai-voice-id").inner_text().strip()
    # Three new samples chosen for the next clone, next to the cloned card.
    choose_files(page, takes)
    page.locator(".uponai-samples .uponai-row-wave .uponai-waveform").nth(2).wait_for(
        timeout=60_000
    )
    page.locator(".uponai-overall .uponai-verdict").wait_for(timeout=60_000)
    page.locator(".uponai-advanced").get_by_text("More fields").click()
    page.locator(".uponai-reason").wait_for(state="visible")
    # Times are in the reader's local time, readable (not an ISO string).
    created = page.locator(".uponai-card time.uponai-time").first
    assert created.get_attribute("data-local") == "1"
    assert "T" not in created.inner_text()

    check_readable(page, "light")
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url)
    page.locator(".uponai-card .uponai-copy").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == voice_id
    page.locator(".uponai-card .uponai-copy").get_by_text("copied").wait_for(timeout=5_000)
    page.mouse.move(0, 0)
    screenshot(page, "widget-light.png")

    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " { theme: 'JupyterLab Dark' })"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(500)  # the theme's stylesheet applies
    check_readable(page, "dark")
    path = screenshot(page, "widget-dark.png")
    assert path.stat().st_size > 10_000
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " { theme: 'JupyterLab Light' })"
    )
    page.close()

// The clone widget's one list of samples: a row per sample (name, size, duration, arrival
// progress, verdict badge, small waveform, remove) whose full report expands from the row.
function render({ model, el }) {
  const gone = createGoneBanner();
  const kernel = watchKernel(model, () => { gone.show(); draw(); });
  const box = document.createElement("div");
  box.className = "uponai-sample-list";
  const list = document.createElement("ul");
  list.className = "uponai-rows";
  const empty = document.createElement("div");
  empty.className = "uponai-samples-empty";
  const footer = document.createElement("div");
  footer.className = "uponai-samples-total";
  box.append(gone.element, list, empty, footer);
  el.append(box);

  const cell = (css, text) => {
    const span = document.createElement("span");
    span.className = css;
    span.textContent = text;
    return span;
  };

  function draw() {
    const rows = model.get("rows");
    const open = new Set(
      Array.from(list.querySelectorAll("details[open]"), (d) => d.closest("li").dataset.key));
    list.replaceChildren();
    empty.textContent = rows.length ? "" : model.get("empty_text");
    empty.hidden = rows.length > 0;
    footer.textContent = model.get("footer");
    for (const row of rows) {
      const item = document.createElement("li");
      item.className = `uponai-row uponai-row-${row.state}`;
      item.dataset.key = row.key;
      const line = document.createElement("div");
      line.className = "uponai-row-line";
      const badge = document.createElement("span");
      badge.className = "uponai-row-badge";
      badge.innerHTML = row.badge_html || "";
      const name = cell("uponai-row-name", row.name);
      name.title = row.name;
      line.append(badge, name, cell("uponai-row-size", row.size_text),
                  cell("uponai-row-duration", row.duration_text));
      if (row.state === "receiving") {
        const bar = document.createElement("progress");
        bar.className = "uponai-row-progress";
        bar.max = 1;
        bar.value = row.progress || 0;
        line.append(bar, cell("uponai-row-arrival", row.arrival_text));
      } else if (row.state === "failed") {
        line.append(cell("uponai-row-error", row.arrival_text));
      }
      const wave = document.createElement("span");
      wave.className = "uponai-row-wave";
      wave.innerHTML = row.waveform_svg || "";
      line.append(wave);
      if (row.removable) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "uponai-remove jupyter-button";
        remove.textContent = "\u00d7";
        remove.title = row.state === "receiving" ? `Stop sending ${row.name}` : `Remove ${row.name}`;
        remove.setAttribute("aria-label", remove.title);
        remove.disabled = model.get("disabled") || kernel.isGone();
        remove.addEventListener("click", () => {
          try { model.send({ type: "remove", key: row.key }); } catch (err) { kernel.mark(); }
        });
        line.append(remove);
      }
      item.append(line);
      if (row.report_html) {
        const details = document.createElement("details");
        details.className = "uponai-row-details";
        details.open = open.has(row.key);
        const summary = document.createElement("summary");
        summary.textContent = row.summary || "Report";
        const body = document.createElement("div");
        body.innerHTML = row.report_html;
        details.append(summary, body);
        item.append(details);
      }
      list.append(item);
    }
  }
  const events = "change:rows change:footer change:disabled change:empty_text";
  model.on(events, draw);
  draw();
  return () => {
    model.off(events, draw);
    kernel.dispose();
  };
}

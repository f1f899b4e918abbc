// The clone widget's one list of samples: a row per sample (name, size, duration, arrival
// progress, verdict badge, small waveform, remove) whose full report expands from the row.
// With "Prepare samples" on, a row also shows the preparation: progress and Cancel, then the
// changes, before/after waveforms and players fed from the kernel (audio_receiver.js).
function render({ model, el }) {
  const gone = createGoneBanner();
  const kernel = watchKernel(model, () => { gone.show(); draw(); });
  const audio = createAudioReceiver(model);
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
  const built = new Map();  // key -> { sig, item }: unchanged rows keep their elements (players)

  const cell = (css, text) => {
    const span = document.createElement("span");
    span.className = css;
    span.textContent = text;
    return span;
  };
  const send = (message) => {
    try { model.send(message); } catch (err) { kernel.mark(); }
  };
  const button = (css, text, title, onClick) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `${css} jupyter-button`;
    b.textContent = text;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.disabled = model.get("disabled") || kernel.isGone();
    b.addEventListener("click", onClick);
    return b;
  };

  function player(which, svg, id) {
    const figure = document.createElement("figure");
    figure.className = `uponai-prep-${which}`;
    const caption = document.createElement("figcaption");
    caption.textContent = which === "before" ? "Before" : "After (sent)";
    const wave = document.createElement("div");
    wave.className = "uponai-prep-wave";
    wave.innerHTML = svg || "";
    const sound = document.createElement("audio");
    sound.className = `uponai-player uponai-player-${which}`;
    sound.controls = true;
    sound.preload = "auto";
    audio.url(id).then((url) => { sound.src = url; }, (err) => { sound.title = err.message; });
    figure.append(caption, wave, sound);
    return figure;
  }

  function preparation(row) {
    const box = document.createElement("div");
    box.className = `uponai-prep uponai-prep-${row.prep_state}`;
    const line = document.createElement("div");
    line.className = "uponai-prep-line";
    if (row.prep_state === "preparing") {
      const bar = document.createElement("progress");
      bar.className = "uponai-prep-progress";
      bar.max = 1;
      bar.value = row.prep_progress || 0;
      line.append(bar);
    }
    line.append(cell("uponai-prep-text", row.prep_text || ""));
    if (row.prep_state === "preparing") {
      line.append(button("uponai-prep-cancel", "Cancel", `Stop preparing ${row.name}`,
                         () => send({ type: "cancel-prepare", key: row.key })));
    }
    box.append(line);
    if (row.prep_changes) {
      const changes = document.createElement("ul");
      changes.className = "uponai-prep-changes";
      for (const text of row.prep_changes) {
        const li = document.createElement("li");
        li.textContent = text;
        changes.append(li);
      }
      const players = document.createElement("div");
      players.className = "uponai-prep-players";
      players.append(player("before", row.prep_before_svg, row.prep_before_audio),
                     player("after", row.prep_after_svg, row.prep_after_audio));
      box.append(changes, players);
    }
    return box;
  }

  function build(row, open) {
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
    const size = cell("uponai-row-size", row.size_text);
    const duration = cell("uponai-row-duration", row.duration_text);
    if (row.line_title) size.title = duration.title = row.line_title;
    line.append(badge, name, size, duration);
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
      const title = row.state === "receiving" ? `Stop sending ${row.name}` : `Remove ${row.name}`;
      line.append(button("uponai-remove", "\u00d7", title,
                         () => send({ type: "remove", key: row.key })));
    }
    item.append(line);
    if (row.prep_state && row.prep_state !== "none") item.append(preparation(row));
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
    return item;
  }

  function draw() {
    const rows = model.get("rows");
    const open = new Set(
      Array.from(list.querySelectorAll("details[open]"), (d) => d.closest("li").dataset.key));
    empty.textContent = rows.length ? "" : model.get("empty_text");
    empty.hidden = rows.length > 0;
    footer.textContent = model.get("footer");
    const flags = `${model.get("disabled")}|${kernel.isGone()}`;
    const items = rows.map((row) => {
      const sig = `${flags}|${JSON.stringify(row)}`;
      let found = built.get(row.key);
      if (!found || found.sig !== sig) {
        found = { sig, item: build(row, open) };
        built.set(row.key, found);
      }
      return found.item;
    });
    const keys = new Set(rows.map((row) => row.key));
    for (const key of Array.from(built.keys())) if (!keys.has(key)) built.delete(key);
    items.forEach((item, i) => {
      if (list.children[i] !== item) list.insertBefore(item, list.children[i] || null);
    });
    while (list.children.length > items.length) list.lastChild.remove();
    audio.keep(new Set(rows.flatMap((row) => [row.prep_before_audio, row.prep_after_audio]
      .filter(Boolean))));
  }
  const events = "change:rows change:footer change:disabled change:empty_text";
  model.on(events, draw);
  draw();
  return () => {
    model.off(events, draw);
    kernel.dispose();
    audio.dispose();
  };
}

// The per-file transfer rows of a standalone picker or recorder (hidden inside
// VoiceCloneWidget, whose sample list shows one row per sample instead).
function createTransferList(model, sender) {
  const progress = new Map();
  const list = document.createElement("ul");
  list.className = "uponai-transfers";

  const draw = () => {
    list.replaceChildren();
    list.hidden = !model.get("show_list");
    for (const file of model.get("files")) {
      const row = document.createElement("li");
      row.className = `uponai-transfer uponai-transfer-${file.state}`;
      row.dataset.id = file.id;
      const name = document.createElement("span");
      name.className = "uponai-transfer-name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.className = "uponai-transfer-progress";
      bar.max = Math.max(file.size, 1);
      const done = file.state === "ready"
        ? file.size : Math.max(progress.get(file.id) || 0, file.received || 0);
      bar.value = file.size ? done : 1;
      const text = document.createElement("span");
      text.className = "uponai-transfer-text";
      if (file.state === "ready") text.textContent = `${formatBytes(file.size)} in the kernel`;
      else if (file.state === "failed") text.textContent = `did not arrive: ${file.error}`;
      else text.textContent = `${formatBytes(done)} / ${formatBytes(file.size)}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "uponai-remove jupyter-button";
      remove.textContent = "\u00d7";
      remove.title = file.state === "receiving" ? "Stop sending this file" : "Remove this sample";
      remove.setAttribute("aria-label", remove.title);
      remove.addEventListener("click", (event) => {
        event.stopPropagation();
        sender.cancel(file.id, "cancelled");
        try { sender.post({ type: "remove", id: file.id }); } catch (err) { /* kernel gone */ }
      });
      row.append(name, bar, text, remove);
      list.append(row);
    }
  };

  const showProgress = (received, size, id) => {
    progress.set(id, received);
    const row = list.querySelector(`li[data-id="${id}"]`);
    if (!row) return;
    row.querySelector("progress").value = received;
    row.querySelector(".uponai-transfer-text").textContent =
      `${formatBytes(received)} / ${formatBytes(size)}`;
  };

  model.on("change:files", draw);
  model.on("change:show_list", draw);
  draw();
  const dispose = () => {
    model.off("change:files", draw);
    model.off("change:show_list", draw);
  };
  return { element: list, showProgress, dispose };
}

// A banner that says the kernel side is gone; shown by `show()`.
function createGoneBanner() {
  const banner = document.createElement("div");
  banner.className = "uponai-gone";
  banner.setAttribute("role", "alert");
  banner.hidden = true;
  banner.textContent = KERNEL_GONE;
  return { element: banner, show: () => { banner.hidden = false; } };
}

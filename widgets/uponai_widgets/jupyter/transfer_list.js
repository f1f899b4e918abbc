function createTransferList(model, sender) {
  const progress = new Map();
  const list = document.createElement("ul");
  list.className = "uponai-transfers";

  const draw = () => {
    list.replaceChildren();
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
      const done = file.state === "ready" ? file.size : (progress.get(file.id) || 0);
      bar.value = file.size ? done : 1;
      const text = document.createElement("span");
      text.className = "uponai-transfer-text";
      text.textContent = file.state === "ready"
        ? `${formatBytes(file.size)} in the kernel`
        : `${formatBytes(done)} / ${formatBytes(file.size)}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "uponai-remove jupyter-button";
      remove.textContent = "\u00d7";
      remove.title = file.state === "ready" ? "Remove this sample" : "Stop sending this file";
      remove.disabled = model.get("disabled");
      remove.addEventListener("click", (event) => {
        event.stopPropagation();
        sender.cancel(file.id, "cancelled");
        model.send({ type: "remove", id: file.id });
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
  model.on("change:disabled", draw);
  draw();
  const dispose = () => {
    model.off("change:files", draw);
    model.off("change:disabled", draw);
  };
  return { element: list, showProgress, dispose };
}

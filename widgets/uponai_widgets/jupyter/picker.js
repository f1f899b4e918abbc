function render({ model, el }) {
  const sender = createChunkSender(model);
  const transfers = createTransferList(model, sender);
  const box = document.createElement("div");
  box.className = "uponai-picker-box";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "uponai-files jupyter-button";
  const input = document.createElement("input");
  input.type = "file";
  input.hidden = true;
  const status = document.createElement("div");
  status.className = "uponai-picker-status";
  box.append(button, input, status, transfers.element);
  el.append(box);

  const sync = () => {
    input.accept = model.get("accept");
    input.multiple = model.get("multiple");
    button.disabled = model.get("disabled");
    button.textContent = `${model.get("description")} \u2014 or drop audio files here`;
  };

  const sendAll = async (files) => {
    status.textContent = "";
    const problems = [];
    for (const file of files) {
      try {
        await sender.send(file, { name: file.name, mime: file.type }, transfers.showProgress);
      } catch (err) {
        problems.push(`${file.name}: ${err.message}`);
      }
    }
    status.textContent = problems.join("; ");
  };

  button.addEventListener("click", () => { if (!model.get("disabled")) input.click(); });
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = "";
    sendAll(files);
  });
  for (const type of ["dragenter", "dragover"]) {
    button.addEventListener(type, (event) => {
      event.preventDefault();
      event.stopPropagation();
      button.classList.add("uponai-drop-active");
    });
  }
  button.addEventListener("dragleave", () => button.classList.remove("uponai-drop-active"));
  button.addEventListener("drop", (event) => {
    event.preventDefault();
    event.stopPropagation();
    button.classList.remove("uponai-drop-active");
    if (model.get("disabled")) return;
    const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []);
    sendAll(model.get("multiple") ? files : files.slice(0, 1));
  });

  const events = "change:accept change:multiple change:disabled change:description";
  model.on(events, sync);
  sync();
  return () => {
    sender.dispose();
    transfers.dispose();
    model.off(events, sync);
  };
}

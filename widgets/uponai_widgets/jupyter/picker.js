// The picker's view: a chooser button that is also a drop zone. A selection is announced to
// the kernel as a whole (names, sizes, types) before any byte is sent, then each file travels
// in acknowledged chunks.
function render({ model, el }) {
  const sender = createChunkSender(model);
  const transfers = createTransferList(model, sender);
  const gone = createGoneBanner();
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
  status.setAttribute("role", "status");
  box.append(gone.element, button, input, status, transfers.element);
  el.append(box);

  const sync = () => {
    input.accept = model.get("accept");
    input.multiple = model.get("multiple");
    button.disabled = model.get("disabled") || sender.isGone();
    button.textContent = `${model.get("description")} \u2014 or drop audio files here`;
  };
  sender.onGone(() => {
    gone.show();
    status.textContent = "";
    sync();
  });

  const sendAll = async (files) => {
    status.textContent = "";
    if (!files.length) return;
    const entries = files.map((file) => ({
      id: newTransferId(), name: file.name, size: file.size, mime: file.type || "",
    }));
    let refused;
    try {
      refused = await sender.announce(entries);
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    const problems = entries
      .filter((entry) => refused[entry.id])
      .map((entry) => `${entry.name}: ${refused[entry.id]}`);
    status.textContent = problems.join("; ");
    for (let i = 0; i < files.length; i += 1) {
      if (refused[entries[i].id] || sender.isGone()) continue;
      try {
        await sender.send(files[i], entries[i], transfers.showProgress);
      } catch (err) {
        if (!sender.isGone()) problems.push(`${files[i].name}: ${err.message}`);
      }
      status.textContent = problems.join("; ");
    }
  };

  button.addEventListener("click", () => {
    if (!model.get("disabled") && !sender.isGone()) input.click();
  });
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
    if (model.get("disabled") || sender.isGone()) return;
    const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []);
    sendAll(model.get("multiple") ? files : files.slice(0, 1));
  });

  const events = "change:accept change:multiple change:disabled change:description";
  model.on(events, sync);
  sync();
  const stopLocalTimes = localizeTimes(el);
  return () => {
    sender.dispose();
    transfers.dispose();
    stopLocalTimes();
    model.off(events, sync);
  };
}

// Show every <time class="uponai-time"> of the surrounding clone widget (voice cards) in the
// reader's local time.
function localizeTimes(el) {
  const root = () => el.closest(".uponai-clone-widget");
  const apply = () => {
    const scope = root();
    if (!scope) return;
    for (const node of scope.querySelectorAll("time.uponai-time:not([data-local])")) {
      const when = new Date(node.getAttribute("datetime"));
      if (Number.isNaN(when.getTime())) continue;
      node.textContent = when.toLocaleString(undefined, {
        dateStyle: "medium", timeStyle: "short",
      });
      node.title = node.getAttribute("datetime");
      node.dataset.local = "1";
    }
  };
  const observer = new MutationObserver(apply);
  const start = () => {
    const scope = root();
    if (scope) observer.observe(scope, { childList: true, subtree: true });
    apply();
  };
  setTimeout(start, 0);
  return () => observer.disconnect();
}

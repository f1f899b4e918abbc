"""The picker's front end: an inline ES module for anywidget (no build step, works offline).

`CHUNK_SENDER_JS` is the one copy of the browser half of the chunk protocol (see
`_picker_store`): `createChunkSender(model).send(blob, meta, onProgress)` slices a Blob or File
into ``chunk_size`` pieces, sends each with a binary buffer, and keeps at most ``window``
unacknowledged chunks in flight; `TRANSFER_LIST_JS` draws the synced ``files`` list with
per-file progress and a remove button. The picker's and the recorder's ES modules are both
composed from these parts with `esm_module`, never copied.
"""

from __future__ import annotations

CHUNK_SENDER_JS = r"""
const STALL_MS = 300000;

function newTransferId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = n;
  for (const unit of units) {
    value /= 1024;
    if (value < 1024 || unit === "GiB") return `${value.toFixed(1)} ${unit}`;
  }
  return `${n} B`;
}

function createChunkSender(model) {
  const transfers = new Map();
  const onMessage = (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "cancel") {
      for (const t of transfers.values()) t.fail("cancelled");
      return;
    }
    const t = transfers.get(msg.id);
    if (!t) return;
    if (msg.type === "ack") {
      t.acked = Math.max(t.acked, msg.received || 0);
      if (t.onProgress) t.onProgress(t.acked, t.size, t.id);
      t.wake();
    } else if (msg.type === "done") {
      t.finished = true;
      t.wake();
    } else if (msg.type === "error") {
      t.fail(msg.message || "the kernel refused the file");
    }
  };
  model.on("msg:custom", onMessage);

  async function send(blob, meta, onProgress, onStart) {
    const chunk = Math.max(65536, model.get("chunk_size") || 4194304);
    const windowChunks = Math.max(1, model.get("window") || 4);
    const t = { id: newTransferId(), size: blob.size, acked: 0, finished: false, error: null,
                waiter: null, onProgress };
    t.wake = () => { const w = t.waiter; t.waiter = null; if (w) w(); };
    t.fail = (reason) => { if (!t.error) t.error = reason; t.wake(); };
    transfers.set(t.id, t);
    const until = async (ready) => {
      while (!ready() && !t.error) {
        let timer = null;
        await new Promise((resolve) => {
          t.waiter = resolve;
          timer = setTimeout(() => t.fail("the kernel stopped acknowledging"), STALL_MS);
        });
        clearTimeout(timer);
      }
      if (t.error) throw new Error(t.error);
    };
    try {
      model.send({ type: "begin", id: t.id, name: meta.name || "", size: blob.size,
                   mime: meta.mime || "" });
      if (onStart) onStart(t.id);
      let offset = 0;
      while (offset < blob.size) {
        await until(() => offset - t.acked < windowChunks * chunk);
        const end = Math.min(offset + chunk, blob.size);
        const buffer = await blob.slice(offset, end).arrayBuffer();
        if (t.error) throw new Error(t.error);
        model.send({ type: "chunk", id: t.id, offset }, undefined, [buffer]);
        offset = end;
      }
      await until(() => t.acked >= blob.size);
      model.send({ type: "end", id: t.id });
      await until(() => t.finished);
      return t.id;
    } catch (err) {
      model.send({ type: "abort", id: t.id });
      throw err;
    } finally {
      transfers.delete(t.id);
    }
  }

  function cancel(id, reason) {
    const t = transfers.get(id);
    if (t) t.fail(reason || "cancelled");
  }

  function dispose() {
    for (const t of transfers.values()) t.fail("the view was closed");
    model.off("msg:custom", onMessage);
  }

  return { send, cancel, dispose, active: () => transfers.size };
}
"""

TRANSFER_LIST_JS = r"""
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
"""

PICKER_VIEW_JS = r"""
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
"""

PICKER_CSS = """
.uponai-picker-box .uponai-files { min-width: 24em; height: auto; padding: 0.6em 1em;
  border: 2px dashed var(--jp-border-color1, #999); }
.uponai-picker-box .uponai-files.uponai-drop-active { border-color: var(--jp-brand-color1, #1976d2); }
.uponai-transfers { list-style: none; padding: 0; margin: 0.3em 0; }
.uponai-transfer { display: flex; gap: 0.6em; align-items: center; }
.uponai-transfer-name { min-width: 12em; }
.uponai-picker-box .uponai-picker-status { color: #b00020; }
"""


def esm_module(*parts: str, export: str = "render") -> str:
    """Compose an ES module from shared JS parts; its default export is ``{ <export> }``."""
    return "\n".join((*parts, f"export default {{ {export} }};\n"))


#: The picker's ES module: the shared chunk sender and transfer list plus the picker view.
PICKER_ESM = esm_module(CHUNK_SENDER_JS, TRANSFER_LIST_JS, PICKER_VIEW_JS)

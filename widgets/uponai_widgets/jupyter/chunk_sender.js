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

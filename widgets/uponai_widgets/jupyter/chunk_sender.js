const STALL_MS = 300000;
const PROBE_MS = 10000;
const KERNEL_GONE = "The kernel restarted or this widget was closed: run the cell again.";

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

// Calls `onGone` once when the model's kernel side goes away (kernel restart, widget closed).
function watchKernel(model, onGone) {
  let gone = false;
  const mark = () => {
    if (gone) return;
    gone = true;
    onGone();
  };
  model.on("comm_live_update", mark);
  model.on("comm:close", mark);
  return {
    isGone: () => gone,
    mark,
    dispose: () => {
      model.off("comm_live_update", mark);
      model.off("comm:close", mark);
    },
  };
}

// The Jupyter server's direct route (`_server_route.py`), addressed and authenticated as the
// page's own API calls are: the base URL and token from the page's config, the XSRF cookie.
function directRoute() {
  const node = document.getElementById("jupyter-config-data");
  let config = {};
  try {
    config = JSON.parse((node && node.textContent) || "{}");
  } catch (err) {
    config = {};
  }
  const base = String(config.baseUrl || "/").replace(/\/?$/, "/");
  const headers = { "Content-Type": "application/octet-stream" };
  if (config.token) headers.Authorization = `token ${config.token}`;
  const xsrf = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  if (xsrf) headers["X-XSRFToken"] = decodeURIComponent(xsrf[1]);
  return { url: (ticket) => `${base}uponai/direct-upload/${ticket}`, headers };
}

// Whether this server can take the ticket's file on the direct route: its GET answers 204. A
// server without the route (Voila's own) or far from the kernel answers otherwise, before any
// byte of the file is sent; so does a server that does not answer within PROBE_MS.
async function directReady(ticket) {
  const route = directRoute();
  const { Authorization } = route.headers;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PROBE_MS);
  try {
    const response = await fetch(route.url(ticket), {
      method: "GET",
      headers: Authorization ? { Authorization } : {},
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      signal: controller.signal,
    });
    return response.status === 204;
  } catch (err) {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// One PUT of the whole file to the direct route: the browser streams it from disk and the page
// never holds its bytes. Resolves true once the server stored it all, false when the route
// cannot take it (no such route or file on this server, an error, a stall: the comm takes over);
// rejects when the transfer was stopped (`t.fail`).
function putDirect(ticket, blob, t, onSent) {
  const route = directRoute();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let timer = null;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => xhr.abort(), STALL_MS);
    };
    const settle = (stored) => {
      clearTimeout(timer);
      t.stopDirect = null;
      if (t.error) reject(new Error(t.error));
      else resolve(stored);
    };
    xhr.open("PUT", route.url(ticket));
    for (const [name, value] of Object.entries(route.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => { watch(); onSent(event.loaded); };
    xhr.onload = () => settle(xhr.status === 201);
    xhr.onerror = () => settle(false);
    xhr.onabort = () => settle(false);
    t.stopDirect = () => xhr.abort();
    watch();
    xhr.send(blob);
  });
}

function createChunkSender(model) {
  let directWorks = true;  // until the route failed once in this view
  const transfers = new Map();
  const selections = new Map();
  const goneListeners = [];
  const kernel = watchKernel(model, () => {
    for (const t of transfers.values()) t.fail(KERNEL_GONE);
    for (const s of selections.values()) s.reject(new Error(KERNEL_GONE));
    selections.clear();
    for (const listener of goneListeners) listener();
  });
  const post = (message, buffers) => {
    if (kernel.isGone()) throw new Error(KERNEL_GONE);
    try {
      model.send(message, undefined, buffers);
    } catch (err) {
      kernel.mark();
      throw new Error(KERNEL_GONE);
    }
  };
  const onMessage = (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "cancel") {
      for (const t of transfers.values()) t.fail("cancelled");
      return;
    }
    if (msg.type === "selected") {
      const waiting = selections.get(msg.selection);
      selections.delete(msg.selection);
      if (waiting) waiting.resolve(msg);
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

  // Tell the kernel about a whole selection (id, name, size, mime each) before any byte;
  // resolves to {id: reason} for the files it refused. Each accepted entry gets the `ticket`
  // the kernel gave it for the direct route.
  function announce(entries) {
    const selection = newTransferId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        selections.delete(selection);
        reject(new Error("the kernel did not answer"));
      }, STALL_MS);
      selections.set(selection, {
        resolve: (reply) => {
          clearTimeout(timer);
          const tickets = reply.tickets || {};
          for (const entry of entries) entry.ticket = tickets[entry.id] || "";
          resolve(reply.refused || {});
        },
        reject: (err) => { clearTimeout(timer); reject(err); },
      });
      try {
        post({ type: "select", selection, files: entries });
      } catch (err) {
        selections.delete(selection);
        clearTimeout(timer);
        reject(err);
      }
    });
  }

  async function send(blob, meta, onProgress) {
    // 8 MiB by default; never over 9 MiB (the server's default message ceiling is 10 MiB).
    const chunk = Math.min(9437184, Math.max(65536, model.get("chunk_size") || 8388608));
    const windowChunks = Math.max(1, model.get("window") || 4);
    const t = { id: meta.id || newTransferId(), size: blob.size, acked: 0, finished: false,
                error: null, waiter: null, onProgress };
    t.wake = () => { const w = t.waiter; t.waiter = null; if (w) w(); };
    t.fail = (reason) => {
      if (!t.error) t.error = reason;
      if (t.stopDirect) t.stopDirect();
      t.wake();
    };
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
      if (meta.ticket && directWorks && model.get("direct") !== false) {
        let told = 0;
        const onSent = (sent) => {
          t.acked = sent;
          if (t.onProgress) t.onProgress(sent, t.size, t.id);
          if (sent - told >= t.size / 20) {
            told = sent;
            try {
              post({ type: "progress", id: t.id });
            } catch (err) { /* the kernel is gone: t.fail stops the upload */ }
          }
        };
        if ((await directReady(meta.ticket)) && (await putDirect(meta.ticket, blob, t, onSent))) {
          post({ type: "stored", id: t.id });
          await until(() => t.finished);
          return t.id;
        }
        directWorks = false;
        t.acked = 0;
      }
      // Over the comm: `begin` also tells the kernel to forget any partial direct attempt.
      post({ type: "begin", id: t.id, name: meta.name || "", size: blob.size,
             mime: meta.mime || "" });
      // The next chunk is read from disk while the window is full (one chunk read ahead).
      const read = (from) => {
        const reading = blob.slice(from, Math.min(from + chunk, blob.size)).arrayBuffer();
        reading.catch(() => {});  // awaited below; no "unhandled rejection" if we stop first
        return reading;
      };
      let offset = 0;
      let next = blob.size ? read(0) : null;
      while (offset < blob.size) {
        const buffer = await next;
        if (!buffer.byteLength) throw new Error("the file could not be read");
        const end = offset + buffer.byteLength;
        next = end < blob.size ? read(end) : null;
        await until(() => offset - t.acked < windowChunks * chunk);
        if (t.error) throw new Error(t.error);
        post({ type: "chunk", id: t.id, offset }, [buffer]);
        offset = end;
      }
      await until(() => t.acked >= blob.size);
      post({ type: "end", id: t.id });
      await until(() => t.finished);
      return t.id;
    } catch (err) {
      if (!kernel.isGone()) {
        try { post({ type: "abort", id: t.id, reason: err.message }); } catch (ignored) { /* gone */ }
      }
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
    kernel.dispose();
  }

  return {
    send, announce, cancel, dispose, post,
    isGone: kernel.isGone,
    onGone: (listener) => goneListeners.push(listener),
    active: () => transfers.size,
  };
}

// Audio from the kernel for the sample players: the kernel sends a file as `audio` messages,
// one chunk per binary buffer; they are joined into a Blob and played from a Blob URL, so
// the audio is never part of the widget's synced state.
function createAudioReceiver(model) {
  const loads = new Map();
  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== "audio") return;
    const load = loads.get(msg.id);
    if (!load || load.url) return;
    if (msg.error) {
      loads.delete(msg.id);
      load.reject(new Error(msg.error));
      return;
    }
    for (const buffer of buffers || []) load.parts.push(buffer);
    if (msg.final) {
      load.url = URL.createObjectURL(new Blob(load.parts, { type: msg.mime || "audio/wav" }));
      load.parts = [];
      load.resolve(load.url);
    }
  };
  model.on("msg:custom", onMessage);

  // A promise of the Blob URL of audio `id` (asked for once, then shared).
  function url(id) {
    let load = loads.get(id);
    if (!load) {
      load = { parts: [], url: null };
      load.promise = new Promise((resolve, reject) => {
        load.resolve = resolve;
        load.reject = reject;
      });
      loads.set(id, load);
      try {
        model.send({ type: "audio", id });
      } catch (err) {
        loads.delete(id);
        load.reject(err);
      }
    }
    return load.promise;
  }

  // Revoke the Blob URLs of audio ids no longer shown.
  function keep(ids) {
    for (const [id, load] of loads) {
      if (ids.has(id)) continue;
      if (load.url) URL.revokeObjectURL(load.url);
      loads.delete(id);
    }
  }

  function dispose() {
    keep(new Set());
    model.off("msg:custom", onMessage);
  }

  return { url, keep, dispose };
}

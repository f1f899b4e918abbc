const RECORDER_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus",
                        "audio/mp4"];

function recordingName(mime) {
  const ext = mime.includes("ogg") ? "ogg" : mime.includes("mp4") ? "m4a" : "webm";
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  return `recording-${stamp}.${ext}`;
}

function formatElapsed(ms) {
  const seconds = ms / 1000;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, "0")}`;
}

function render({ model, el }) {
  const sender = createChunkSender(model);
  const transfers = createTransferList(model, sender);
  const gone = createGoneBanner();
  const box = document.createElement("div");
  box.className = "uponai-recorder-box";
  const start = document.createElement("button");
  start.type = "button";
  start.className = "uponai-record-start jupyter-button";
  start.textContent = "Record";
  start.title = "Record a sample from the microphone";
  const stop = document.createElement("button");
  stop.type = "button";
  stop.className = "uponai-record-stop jupyter-button";
  stop.textContent = "Stop";
  stop.disabled = true;
  const meter = document.createElement("meter");
  meter.className = "uponai-level";
  meter.min = 0;
  meter.max = 1;
  meter.low = 0.15;
  meter.high = 0.9;
  meter.value = 0;
  meter.title = "Input level";
  const elapsed = document.createElement("span");
  elapsed.className = "uponai-elapsed";
  elapsed.textContent = formatElapsed(0);
  const status = document.createElement("div");
  status.className = "uponai-recorder-status";
  // A message the kernel clears once it is stale (the next sample, a removal, a clone).
  const notice = document.createElement("div");
  notice.className = "uponai-recorder-notice";
  notice.setAttribute("role", "status");
  const showNotice = () => { notice.textContent = model.get("notice") || ""; };
  const setNotice = (text) => {
    model.set("notice", text);
    try { model.save_changes(); } catch (err) { /* kernel gone: shown locally only */ }
    showNotice();
  };
  model.on("change:notice", showNotice);
  showNotice();
  const controls = document.createElement("div");
  controls.className = "uponai-recorder-controls";
  const dot = document.createElement("span");
  dot.className = "uponai-recording-dot";
  dot.setAttribute("aria-hidden", "true");
  const live = document.createElement("span");
  live.className = "uponai-recording-label";
  live.textContent = "";
  controls.append(start, stop, dot, live, meter, elapsed);
  box.append(gone.element, controls, status, notice, transfers.element);
  el.append(box);

  let session = null;

  const release = () => {
    if (!session) return;
    clearInterval(session.timer);
    for (const track of session.stream.getTracks()) track.stop();
    if (session.context) session.context.close();
    meter.value = 0;
    session = null;
    box.classList.remove("uponai-recording");
    live.textContent = "";
    stop.disabled = true;
    start.disabled = model.get("disabled");
  };

  const deliver = async (blob, mime) => {
    const name = recordingName(mime);
    status.textContent = `Sending ${name} to the kernel\u2026`;
    try {
      await sender.send(blob, { name, mime }, transfers.showProgress);
      status.textContent = "";
    } catch (err) {
      status.textContent = sender.isGone() ? "" : `${name}: ${err.message}`;
    }
  };

  start.addEventListener("click", async () => {
    if (session || model.get("disabled") || sender.isGone()) return;
    status.textContent = "";
    if (model.get("notice")) setNotice("");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      setNotice(`No microphone: ${err.message}`);
      return;
    }
    const type = RECORDER_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const parts = [];
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size) parts.push(event.data);
    });
    recorder.addEventListener("stop", () => {
      const mime = (recorder.mimeType || type || "audio/webm").split(";")[0];
      release();
      deliver(new Blob(parts, { type: mime }), mime);
    });
    let context = null;
    let analyser = null;
    try {
      context = new AudioContext();
      analyser = context.createAnalyser();
      analyser.fftSize = 2048;
      context.createMediaStreamSource(stream).connect(analyser);
    } catch (err) {
      analyser = null;
    }
    const samples = new Float32Array(2048);
    const began = performance.now();
    const tick = () => {
      elapsed.textContent = formatElapsed(performance.now() - began);
      if (!analyser) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      const rms = Math.sqrt(sum / samples.length);
      const dbfs = rms > 0 ? 20 * Math.log10(rms) : -100;
      meter.value = Math.max(0, Math.min(1, (dbfs + 60) / 60));
    };
    session = { stream, recorder, context, timer: setInterval(tick, 100) };
    recorder.start(1000);
    box.classList.add("uponai-recording");
    live.textContent = "Recording";
    start.disabled = true;
    stop.disabled = false;
    elapsed.textContent = formatElapsed(0);
  });

  stop.addEventListener("click", () => {
    if (session && session.recorder.state !== "inactive") session.recorder.stop();
  });

  const sync = () => {
    if (!session) start.disabled = model.get("disabled") || sender.isGone();
  };
  sender.onGone(() => {
    gone.show();
    if (session && session.recorder.state !== "inactive") session.recorder.stop();
    status.textContent = "";
    sync();
  });
  model.on("change:disabled", sync);
  sync();
  return () => {
    if (session && session.recorder.state !== "inactive") session.recorder.stop();
    release();
    sender.dispose();
    transfers.dispose();
    model.off("change:disabled", sync);
  };
}

// Testa video (manual 5): camera preview, device choice, microphone level, test sound and the
// browser check, for clinicians and patients alike.
import {
  LevelMeter, canChooseSpeaker, fillSelect, listDevices, markPlatform, missingFeatures,
  openMedia, playTestSound, showProblem, trackDeviceId,
} from "./media.js";

const root = document.getElementById("test-video");
const $ = (id) => document.getElementById(id);
const state = { stream: null, meter: null, peak: 0 };

function mark(check, ok) {
  const item = document.querySelector(`[data-check="${check}"]`);
  item.dataset.ok = ok === null ? "" : String(ok);
  item.querySelector(".check-result").textContent =
    ok === null ? root.dataset.textChecking : ok ? root.dataset.textOk : root.dataset.textFailed;
}

function checkServerConnection() {
  mark("websocket", null);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let ws;
  try {
    ws = new WebSocket(`${scheme}://${location.host}/ws/healthz/`);
  } catch (error) {
    mark("websocket", false);
    return;
  }
  const timer = setTimeout(() => { mark("websocket", false); ws.close(); }, 8000);
  ws.onmessage = () => { clearTimeout(timer); mark("websocket", true); ws.close(); };
  ws.onerror = () => { clearTimeout(timer); mark("websocket", false); };
}

function showLevel(level) {
  $("mic-level").value = level;
  state.peak = Math.max(state.peak, level);
  $("mic-level").dataset.peak = state.peak.toFixed(3);
}

async function start({ camera, microphone } = {}) {
  if (state.meter) state.meter.stop();
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  const { stream, problem } = await openMedia({ camera, microphone });
  showProblem(problem);
  state.stream = stream;
  // Access works when the browser gave us a camera or a microphone, whatever the API offers.
  mark("media", Boolean(stream));
  $("preview").srcObject = stream;
  mark("camera", Boolean(stream && stream.getVideoTracks().length));
  mark("microphone", Boolean(stream && stream.getAudioTracks().length));
  if (stream && stream.getAudioTracks().length) state.meter = new LevelMeter(stream, showLevel);
  if (!stream) return;
  const devices = await listDevices();
  const label = root.dataset.textDevice;
  fillSelect($("camera-select"), devices.camera, trackDeviceId(stream, "video"), label);
  fillSelect($("mic-select"), devices.microphone, trackDeviceId(stream, "audio"), label);
  fillSelect($("speaker-select"), devices.speaker, $("speaker-select").value, label);
  if (!canChooseSpeaker()) $("speaker-select").disabled = true;
}

async function main() {
  markPlatform();
  const missing = missingFeatures();
  for (const check of ["secure", "webrtc", "websocket"]) {
    mark(check, !missing.includes(check));
  }
  // Camera and microphone are known once the browser has answered (start()).
  for (const check of ["media", "camera", "microphone"]) mark(check, null);
  if (!missing.includes("websocket")) checkServerConnection();
  if (missing.includes("secure") || missing.includes("media")) {
    showProblem("unsupported");
    for (const check of ["media", "camera", "microphone"]) mark(check, false);
    return;
  }
  if (missing.length) showProblem("unsupported");
  $("camera-select").addEventListener("change", (e) =>
    start({ camera: e.target.value, microphone: $("mic-select").value }));
  $("mic-select").addEventListener("change", (e) =>
    start({ camera: $("camera-select").value, microphone: e.target.value }));
  $("play-sound").addEventListener("click", () =>
    playTestSound($("speaker-select").value).catch((error) => console.warn("sound", error)));
  await start();
}

window.careplatformTestVideo = state;
main();

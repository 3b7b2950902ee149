// Camera, microphone, speaker and browser checks shared by Testa video and the room
// (manual 5 and 6). Messages are in the page (translated there); this code picks which to show.

export function missingFeatures() {
  const missing = [];
  if (!window.isSecureContext) missing.push("secure");
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) missing.push("media");
  // Perfect negotiation needs restartIce and setLocalDescription() without arguments.
  if (!window.RTCPeerConnection || !("restartIce" in RTCPeerConnection.prototype)) {
    missing.push("webrtc");
  }
  if (!window.WebSocket) missing.push("websocket");
  return missing;
}

export function isIOS() {
  return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

export function markPlatform() {
  if (isIOS()) document.documentElement.classList.add("is-ios");
}

export function problemFor(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return "busy";
    default:
      return "other";
  }
}

// getUserMedia's error names that the server knows (protocol.MEDIA_ERRORS); any other is sent as
// "UnknownError".
const ERROR_NAMES = new Set([
  "NotAllowedError", "PermissionDeniedError", "SecurityError", "NotFoundError",
  "DevicesNotFoundError", "OverconstrainedError", "NotReadableError", "TrackStartError",
  "AbortError", "TypeError",
]);

function errorName(error) {
  return error && ERROR_NAMES.has(error.name) ? error.name : "UnknownError";
}

async function permissionState(name) {
  try {
    return (await navigator.permissions.query({ name })).state;
  } catch (ignored) {
    return "unknown"; // a browser that cannot say (older Safari, Firefox for the camera)
  }
}

// What the room reports to the server about its camera and microphone, for support: one report
// per device that could not be used ({problem, error}), from what openMedia() returned.
export async function mediaReports({ stream, problem, error }) {
  if (!problem) return [];
  const name = errorName(error);
  const has = (kind) => Boolean(stream && stream.getTracks().some((t) => t.kind === kind));
  if (problem === "denied") {
    // One refusal answers the request for both; the Permissions API tells which was blocked.
    // Where it cannot tell, both count: neither could be used.
    const camera = await permissionState("camera");
    const microphone = await permissionState("microphone");
    const reports = [];
    if (camera !== "granted") reports.push({ problem: "camera_denied", error: name });
    if (microphone !== "granted") reports.push({ problem: "microphone_denied", error: name });
    return reports.length ? reports : [{ problem: "camera_denied", error: name }];
  }
  if (problem === "missing") {
    const reports = [];
    if (!has("video")) reports.push({ problem: "no_camera", error: name });
    if (!has("audio")) reports.push({ problem: "no_microphone", error: name });
    return reports;
  }
  return [{ problem: "media_error", error: name }];
}

export function showProblem(kind) {
  for (const element of document.querySelectorAll("[data-problem]")) {
    element.hidden = element.dataset.problem !== kind;
  }
}

function videoConstraints(deviceId) {
  return deviceId
    ? { deviceId: { exact: deviceId } }
    : { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" };
}

function audioConstraints(deviceId) {
  return deviceId
    ? { deviceId: { exact: deviceId }, echoCancellation: true, noiseSuppression: true }
    : { echoCancellation: true, noiseSuppression: true };
}

// Camera and microphone; when one of them is missing or busy, the other alone (a visit with
// sound only beats no visit). Returns {stream, problem, error}.
export async function openMedia({ camera, microphone } = {}) {
  const video = videoConstraints(camera);
  const audio = audioConstraints(microphone);
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video, audio });
    return { stream, problem: null, error: null };
  } catch (error) {
    const problem = problemFor(error);
    if (problem === "missing" || problem === "busy") {
      for (const constraints of [{ audio }, { video }]) {
        try {
          return { stream: await navigator.mediaDevices.getUserMedia(constraints), problem, error };
        } catch (ignored) {
          // try the next
        }
      }
    }
    return { stream: null, problem, error };
  }
}

export async function openTrack(kind, deviceId) {
  const constraints = kind === "video"
    ? { video: videoConstraints(deviceId) }
    : { audio: audioConstraints(deviceId) };
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  return stream.getTracks()[0];
}

export async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    camera: devices.filter((d) => d.kind === "videoinput" && d.deviceId),
    microphone: devices.filter((d) => d.kind === "audioinput" && d.deviceId),
    speaker: devices.filter((d) => d.kind === "audiooutput" && d.deviceId),
  };
}

export function fillSelect(select, devices, currentId, fallbackLabel) {
  const options = devices.map((device, i) =>
    new Option(device.label || `${fallbackLabel} ${i + 1}`, device.deviceId, false,
      device.deviceId === currentId));
  select.replaceChildren(...options);
  select.disabled = devices.length === 0;
}

export function trackDeviceId(stream, kind) {
  const track = stream && stream.getTracks().find((t) => t.kind === kind);
  return track && track.getSettings ? track.getSettings().deviceId : undefined;
}

export function canChooseSpeaker() {
  return "setSinkId" in HTMLMediaElement.prototype;
}

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  return new Context();
}

// Microphone level 0..1 from the stream's audio, reported about ten times a second.
export class LevelMeter {
  constructor(stream, onLevel) {
    this.context = audioContext();
    const source = this.context.createMediaStreamSource(stream);
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 1024;
    source.connect(this.analyser);
    this.samples = new Uint8Array(this.analyser.fftSize);
    this.timer = setInterval(() => {
      this.analyser.getByteTimeDomainData(this.samples);
      let sum = 0;
      for (const sample of this.samples) sum += ((sample - 128) / 128) ** 2;
      onLevel(Math.min(1, Math.sqrt(sum / this.samples.length) * 4));
    }, 100);
    // Browsers may start audio suspended until the person touches the page.
    this.resume = () => this.context.resume();
    this.resume();
    document.addEventListener("pointerdown", this.resume);
  }

  stop() {
    clearInterval(this.timer);
    document.removeEventListener("pointerdown", this.resume);
    this.context.close();
  }
}

// A short tone on the chosen speaker.
export async function playTestSound(sinkId) {
  const context = audioContext();
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.frequency.value = 660;
  gain.gain.setValueAtTime(0.25, context.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + 1.5);
  oscillator.connect(gain);
  let element = null;
  if (sinkId && context.setSinkId) {
    await context.setSinkId(sinkId);
    gain.connect(context.destination);
  } else if (sinkId && canChooseSpeaker()) {
    const destination = context.createMediaStreamDestination();
    gain.connect(destination);
    element = new Audio();
    element.srcObject = destination.stream;
    await element.setSinkId(sinkId);
    await element.play();
  } else {
    gain.connect(context.destination);
  }
  await context.resume();
  oscillator.start();
  oscillator.stop(context.currentTime + 1.5);
  oscillator.onended = () => {
    if (element) element.srcObject = null;
    context.close();
  };
}

export function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

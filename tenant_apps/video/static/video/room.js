// The visit's room page (manual 6, 7.6): own and remote video, microphone and camera,
// devices, connection hints, and the clear messages when something is in the way.
import {
  fillSelect, canChooseSpeaker, listDevices, markPlatform, mediaReports, missingFeatures,
  openMedia, openTrack, randomId, showProblem, trackDeviceId,
} from "./media.js";
import { MeshLayer } from "./mesh.js";
import { Signaling } from "./signaling.js";

const GONE_GRACE_MS = 20000; // a peer whose page vanished may still come back on its own
const QUALITY_EVERY_MS = 3000;

const root = document.getElementById("room");
const $ = (id) => document.getElementById(id);

function text(key) {
  const name = "text" + key.split("-").map((p) => p[0].toUpperCase() + p.slice(1)).join("");
  return root.dataset[name] || key;
}

const state = {
  peerId: randomId(),
  peers: new Map(), // id -> {name, tile, video, goneTimer, reported}
  stream: null,
  micOn: true,
  cameraOn: true,
  speaker: "",
  ended: false,
  role: "", // this page's role in the room, from the server's welcome
  mediaReports: [], // camera or microphone problems, told to the server once admitted
};

function setStatus(message) {
  $("room-status").textContent = message;
}

function showMessage(message) {
  const box = $("room-message");
  box.textContent = message;
  box.hidden = !message;
}

// Until the visit's clinician is in the room, everyone else is told that they are coming.
function clinicianAway() {
  if (!state.role || state.role === "clinician") return false;
  return ![...state.peers.values()].some((entry) => entry.role === "clinician");
}

function updateStatus() {
  if (state.ended || !state.role) return;
  if (clinicianAway()) setStatus(text("clinician-coming"));
  else setStatus(state.peers.size ? text("in-call") : text("waiting"));
}

// -- remote tiles -----------------------------------------------------------------------
function play(video) {
  const started = video.play();
  if (started && started.catch) {
    started.catch((error) => {
      if (error.name === "NotAllowedError") $("start-playback").hidden = false;
    });
  }
}

function tile(id, name, role) {
  let entry = state.peers.get(id);
  if (!entry) {
    const node = $("tile-template").content.firstElementChild.cloneNode(true);
    node.dataset.peer = id;
    entry = { tile: node, video: node.querySelector("video"), reported: null };
    if (state.speaker && entry.video.setSinkId) entry.video.setSinkId(state.speaker);
    $("tiles").append(node);
    state.peers.set(id, entry);
  }
  if (role) entry.role = role;
  if (name) {
    entry.name = name;
    entry.tile.querySelector(".tile-name").textContent = name;
  }
  return entry;
}

function setPeerText(id, key) {
  const entry = state.peers.get(id);
  if (entry) entry.tile.querySelector(".tile-state").textContent = key ? `(${text(key)})` : "";
}

function addPeer(peer) {
  layer.addPeer({ id: peer.id, polite: peer.polite });
  const entry = tile(peer.id, peer.name, peer.role);
  clearTimeout(entry.goneTimer);
  entry.tile.classList.remove("gone");
  if (!entry.reported) setPeerText(peer.id, "peer-connecting");
  updateStatus();
}

function dropPeer(id) {
  layer.removePeer(id);
  const entry = state.peers.get(id);
  if (entry) {
    clearTimeout(entry.goneTimer);
    entry.tile.remove();
    state.peers.delete(id);
  }
  updateStatus();
}

function peerLeft(id, reason) {
  const entry = state.peers.get(id);
  if (!entry) return;
  if (reason === "gone" || reason === "lost") {
    entry.tile.classList.add("gone");
    setPeerText(id, "peer-gone");
    clearTimeout(entry.goneTimer);
    entry.goneTimer = setTimeout(() => dropPeer(id), GONE_GRACE_MS);
    return;
  }
  if (entry.name) showMessage(`${entry.name} ${text("peer-left")}.`);
  dropPeer(id);
}

const PEER_TEXT = {
  new: "peer-connecting",
  connecting: "peer-connecting",
  connected: "peer-connected",
  disconnected: "peer-unstable",
  failed: "peer-failed",
};

function peerState(id, connectionState) {
  const entry = state.peers.get(id);
  if (!entry) return;
  if (PEER_TEXT[connectionState]) setPeerText(id, PEER_TEXT[connectionState]);
  if (["connected", "failed"].includes(connectionState) && entry.reported !== connectionState) {
    entry.reported = connectionState;
    reportCall(id, connectionState);
  }
}

// -- what support sees of this page (protocol "diagnostics"; never shown to the others) ------
async function reportCall(id, connectionState) {
  let ice = null;
  try {
    ice = await layer.iceReport(id);
  } catch (error) {
    console.warn("ice report", error);
  }
  const message = ice
    ? { type: "diagnostics", report: "call", peer: id, state: connectionState, ice }
    : { type: "state", peer: id, state: connectionState };
  signaling.send(message);
}

function reportMedia() {
  const reports = state.mediaReports;
  state.mediaReports = [];
  for (const report of reports) signaling.send({ type: "diagnostics", report: "media", ...report });
}

// -- the room's conversation with the server ------------------------------------------------
const layer = new MeshLayer({
  sendSignal: (to, data) => signaling.send({ type: "signal", to, data }),
  onRemoteStream: (id, stream) => {
    const entry = tile(id);
    if (entry.video.srcObject !== stream) {
      entry.video.srcObject = stream;
      play(entry.video);
    }
  },
  onPeerState: peerState,
});

function sendMediaState() {
  signaling.send({ type: "media", audio: state.micOn, video: state.cameraOn });
}

const handlers = {
  welcome(message) {
    showMessage("");
    state.role = message.me.role;
    layer.configure(message.rtc);
    const present = new Set(message.peers.map((p) => p.id));
    for (const id of [...state.peers.keys()]) if (!present.has(id)) dropPeer(id);
    for (const peer of message.peers) addPeer(peer);
    layer.restartIce();
    if (!state.micOn || !state.cameraOn) sendMediaState();
    reportMedia();
    updateStatus();
  },
  "peer-joined"(message) {
    addPeer(message.peer);
    if (!state.micOn || !state.cameraOn) sendMediaState();
  },
  "peer-left"(message) {
    peerLeft(message.peer, message.reason);
  },
  signal(message) {
    tile(message.from, message.peer.name, message.peer.role);
    layer.signal(message.from, message.data, message.peer.polite);
  },
  "peer-media"(message) {
    const entry = state.peers.get(message.peer);
    if (!entry) return;
    const off = [];
    if (!message.audio) off.push(text("muted"));
    if (!message.video) off.push(text("no-camera"));
    entry.tile.querySelector(".tile-media").textContent = off.length ? `– ${off.join(", ")}` : "";
  },
  refused(message) {
    setStatus("");
    showMessage(message.message);
  },
  "room-closed"(message) {
    endRoom(message.message);
  },
  replaced(message) {
    endRoom(message.message);
  },
  dropped(message) {
    console.warn("The server dropped a message:", message.reason);
  },
};

const signaling = new Signaling(root.dataset.socket, state.peerId, {
  onMessage: (message) => {
    const handler = handlers[message.type];
    if (handler) handler(message);
  },
  onEnd: (code, last) => endRoom(last ? last.message : ""),
  onReconnecting: () => {
    if (!state.ended) setStatus(text("reconnecting"));
  },
});

function stopLocalMedia() {
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
}

function endRoom(message) {
  if (state.ended) return;
  state.ended = true;
  signaling.leave();
  layer.close();
  stopLocalMedia();
  for (const id of [...state.peers.keys()]) dropPeer(id);
  root.classList.add("ended");
  // Said once, in the message box; there is nothing left to leave or end.
  setStatus("");
  showMessage(message || "");
  $("leave").hidden = true;
  if ($("end-form")) $("end-form").hidden = true;
  $("back").hidden = false;
}

// -- own camera and microphone --------------------------------------------------------------
// The button says what it does next ("Slå på mikrofonen"); a name that changes with the state
// carries no aria-pressed, which would contradict it.
function setToggle(button, on, onKey, offKey) {
  button.textContent = on ? text(onKey) : text(offKey);
}

function toggle(kind) {
  const key = kind === "audio" ? "micOn" : "cameraOn";
  state[key] = !state[key];
  if (state.stream) {
    for (const track of state.stream.getTracks()) {
      if (track.kind === kind) track.enabled = state[key];
    }
  }
  if (kind === "audio") setToggle($("toggle-mic"), state.micOn, "mic-on", "mic-off");
  else setToggle($("toggle-camera"), state.cameraOn, "camera-on", "camera-off");
  sendMediaState();
}

async function switchDevice(kind, deviceId) {
  if (!state.stream) return;
  const track = await openTrack(kind, deviceId);
  track.enabled = kind === "audio" ? state.micOn : state.cameraOn;
  for (const old of state.stream.getTracks().filter((t) => t.kind === kind)) {
    state.stream.removeTrack(old);
    old.stop();
  }
  state.stream.addTrack(track);
  await layer.replaceTrack(kind, track);
}

async function fillDevices() {
  const devices = await listDevices();
  const label = text("device");
  fillSelect($("camera-select"), devices.camera, trackDeviceId(state.stream, "video"), label);
  fillSelect($("mic-select"), devices.microphone, trackDeviceId(state.stream, "audio"), label);
  fillSelect($("speaker-select"), devices.speaker, state.speaker, label);
  if (!canChooseSpeaker()) $("speaker-select").disabled = true;
}

function wireControls() {
  $("toggle-mic").addEventListener("click", () => toggle("audio"));
  $("toggle-camera").addEventListener("click", () => toggle("video"));
  $("camera-select").addEventListener("change", (e) => switchDevice("video", e.target.value));
  $("mic-select").addEventListener("change", (e) => switchDevice("audio", e.target.value));
  $("speaker-select").addEventListener("change", (e) => {
    state.speaker = e.target.value;
    for (const entry of state.peers.values()) {
      if (entry.video.setSinkId) entry.video.setSinkId(state.speaker);
    }
  });
  $("start-playback").addEventListener("click", () => {
    $("start-playback").hidden = true;
    for (const entry of state.peers.values()) play(entry.video);
  });
  $("leave").addEventListener("click", () => signaling.leave());
  const endForm = $("end-form");
  if (endForm) {
    endForm.addEventListener("submit", (event) => {
      if (!window.confirm(text("confirm-end"))) event.preventDefault();
      else signaling.leave();
    });
  }
  window.addEventListener("pagehide", () => signaling.leave());
  if (!state.stream || !state.stream.getAudioTracks().length) $("toggle-mic").disabled = true;
  if (!state.stream || !state.stream.getVideoTracks().length) $("toggle-camera").disabled = true;
}

// Menu links open in a new window so that the call is not dropped (manual 6, footnote 1).
function keepCallOnNavigation() {
  for (const link of document.querySelectorAll(".topbar a, .video-prompts a")) {
    link.target = "_blank";
    link.rel = "noopener";
  }
}

// The connection-quality hint from two getStats() samples of one peer (mesh.stats()): the
// share of packets lost between them, and the current round trip in seconds.
function connectionQuality(before, now) {
  if (now.state !== "connected") return null;
  const received = now.packetsReceived - before.packetsReceived;
  const lost = now.packetsLost - before.packetsLost;
  const loss = received + lost > 0 ? lost / (received + lost) : 0;
  const rtt = now.roundTripTime || 0;
  if (loss > 0.08 || rtt > 0.6) return "poor";
  if (loss > 0.02 || rtt > 0.3) return "fair";
  return "good";
}

async function watchQuality() {
  let previous = new Map();
  const order = ["good", "fair", "poor"];
  setInterval(async () => {
    if (state.ended) return;
    const stats = await layer.stats();
    let worst = null;
    for (const s of stats) {
      const before = previous.get(s.peer) || { packetsReceived: 0, packetsLost: 0 };
      const quality = connectionQuality(before, s);
      const entry = state.peers.get(s.peer);
      if (entry) entry.tile.dataset.quality = quality || "";
      if (quality && (!worst || order.indexOf(quality) > order.indexOf(worst))) worst = quality;
    }
    $("quality").textContent = worst ? text(`quality-${worst}`) : "";
    $("quality").dataset.quality = worst || "";
    previous = new Map(stats.map((s) => [s.peer, s]));
  }, QUALITY_EVERY_MS);
}

async function main() {
  markPlatform();
  keepCallOnNavigation();
  if (missingFeatures().length) {
    showProblem("unsupported");
    root.classList.add("unsupported");
    setStatus("");
    return;
  }
  const media = await openMedia();
  const { stream, problem } = media;
  if (problem) showProblem(problem); // still join: the others can be seen and heard
  state.mediaReports = await mediaReports(media).catch(() => []);
  state.stream = stream;
  if (stream) $("self-video").srcObject = stream;
  layer.setLocalStream(stream);
  wireControls();
  if (stream) fillDevices().catch((error) => console.warn("devices", error));
  signaling.connect();
  watchQuality();
}

window.careplatformVideo = { layer, signaling, state };
main();

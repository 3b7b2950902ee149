// The page's video prompts (manual 6, 7.6), kept current by the server over one WebSocket:
// "Starta videomöte" and "Börja videobesöket" come and go by themselves, and the visit's
// clinician sees who is waiting in the room, with a sound if they switch it on. The server
// decides when anything changes (its clock, its bookings); the page only shows what it is sent.
// After a break (server restart, network) it reconnects with a growing pause.

const FINAL_CODES = new Set([4401, 4403]); // not logged in here: reconnecting would not help
const HEARTBEAT_MS = 25000;
const SILENCE_MS = 60000;
const MAX_PAUSE_MS = 30000;
const SOUND_KEY = "careplatform.waitingSound";

const box = document.getElementById("video-prompts");

const state = {
  ws: null,
  attempt: 0,
  stopped: false,
  lastHeard: 0,
  waiting: new Set(),
  audio: null,
  updates: 0,
};

function waitingNow() {
  return new Set([...box.querySelectorAll("[data-waiting]")].map((node) => node.dataset.waiting));
}

function soundOn() {
  try {
    return window.localStorage.getItem(SOUND_KEY) === "on";
  } catch (ignored) {
    return false;
  }
}

function beep() {
  const audio = state.audio || (state.audio = new AudioContext());
  if (audio.state === "suspended") audio.resume();
  const start = audio.currentTime + 0.05;
  for (const offset of [0, 0.3]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.25);
  }
}

function wireSound() {
  const toggle = box.querySelector("#waiting-sound");
  if (!toggle) return;
  toggle.checked = soundOn();
  toggle.addEventListener("change", () => {
    try {
      window.localStorage.setItem(SOUND_KEY, toggle.checked ? "on" : "off");
    } catch (ignored) {
      // a browser without storage: the choice lasts as long as the page
    }
    // A click lets the page play sound from now on (browsers' autoplay rules).
    if (toggle.checked) beep();
  });
}

function show(html) {
  const focused = box.contains(document.activeElement) ? document.activeElement.id : "";
  box.innerHTML = html;
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  wireSound();
  const now = waitingNow();
  const arrived = [...now].some((key) => !state.waiting.has(key));
  state.waiting = now;
  state.updates += 1;
  if (arrived && soundOn()) {
    try {
      beep();
    } catch (error) {
      console.warn("No sound:", error);
    }
  }
}

function connect() {
  if (state.stopped) return;
  clearTimeout(state.retryTimer);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}${box.dataset.socket}`);
  state.ws = ws;
  state.lastHeard = Date.now();
  ws.onmessage = (event) => {
    if (state.ws !== ws) return;
    state.lastHeard = Date.now();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (ignored) {
      return;
    }
    if (message.type === "prompts") {
      state.attempt = 0;
      show(message.html);
    }
  };
  ws.onclose = (event) => closed(ws, event.code);
}

function closed(ws, code) {
  if (state.ws !== ws) return;
  state.ws = null;
  if (FINAL_CODES.has(code)) {
    state.stopped = true;
    return;
  }
  const pause = Math.min(MAX_PAUSE_MS, 1000 * 2 ** state.attempt) * (0.5 + Math.random() / 2);
  state.attempt += 1;
  state.retryTimer = setTimeout(connect, pause);
}

function heartbeat() {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (Date.now() - state.lastHeard > SILENCE_MS) {
    // Nothing heard, not even a pong: the connection is dead without having said so.
    ws.onclose = null;
    ws.close();
    closed(ws, 1006);
    return;
  }
  ws.send(JSON.stringify({ type: "ping" }));
}

if (box && box.dataset.socket) {
  state.waiting = waitingNow();
  wireSound();
  window.addEventListener("online", () => {
    if (!state.ws && !state.stopped) connect();
  });
  setInterval(heartbeat, HEARTBEAT_MS);
  connect();
  window.careplatformPrompts = state;
}

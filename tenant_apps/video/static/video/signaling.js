// The room's WebSocket (manual 6): JSON messages, a heartbeat, and reconnecting with backoff.
// The page keeps its peer id across reconnects, so the server puts it back in its place and
// calls in progress keep their peer connections.

// The server closed for good: bad request, not logged in, not allowed, replaced by another
// window, room closed, too many bad messages.
const FINAL_CODES = new Set([4400, 4401, 4403, 4409, 4410, 4429]);
const NOT_OPEN_YET = 4425;

export class Signaling {
  constructor(path, peerId, handlers) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.url = `${scheme}://${location.host}${path}?peer=${encodeURIComponent(peerId)}`;
    this.handlers = handlers;
    this.attempt = 0;
    this.stopped = false;
    this.heartbeatSeconds = 4;
    this.timeoutSeconds = 12;
    this.ws = null;
    window.addEventListener("online", () => this.reconnectNow());
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.lastHeard = Date.now();
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (ignored) {
        return;
      }
      if (message.type === "welcome") {
        this.attempt = 0;
        this.heartbeatSeconds = message.heartbeat || this.heartbeatSeconds;
        this.timeoutSeconds = message.timeout || this.timeoutSeconds;
        this.startHeartbeat();
      }
      if (["refused", "room-closed", "replaced"].includes(message.type)) this.last = message;
      this.handlers.onMessage(message);
    };
    ws.onclose = (event) => this.closed(ws, event.code);
  }

  closed(ws, code) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.stopHeartbeat();
    if (this.stopped) return;
    if (FINAL_CODES.has(code)) {
      this.stopped = true;
      this.handlers.onEnd(code, this.last);
      return;
    }
    // Not open yet: try again in a while; anything else: soon, then less and less often.
    const delay = code === NOT_OPEN_YET
      ? 30000
      : Math.min(10000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.last = null;
    this.handlers.onReconnecting(delay, code);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.connect();
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      // The server answers every ping; silence means the connection is dead.
      if (Date.now() - this.lastHeard > this.timeoutSeconds * 1000) {
        ws.onclose = null;
        ws.close();
        this.closed(ws, 1006);
        return;
      }
      this.send({ type: "ping" });
    }, this.heartbeatSeconds * 1000);
  }

  stopHeartbeat() {
    clearInterval(this.heartbeat);
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  leave() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    if (this.ws) this.ws.close(1000);
  }
}

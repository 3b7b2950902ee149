// The media layer of a room: one RTCPeerConnection per other participant (a full mesh, for
// up to four people). The room page talks to it only through these methods, so an SFU can
// take its place for larger groups:
//   configure(rtc)            ICE servers and transport policy from the server
//   setLocalStream(stream)    what this page sends (may be null: receive only)
//   addPeer({id, polite})     someone is in the room (polite/impolite assigned by the server)
//   signal(id, data, polite)  an SDP description or ICE candidate from that peer
//   removePeer(id)            they left
//   replaceTrack(kind, track) another camera or microphone, without renegotiating
//   restartIce()              after the network changed
//   stats()                   per peer: frames decoded, candidates, round trip, losses
//   iceReport(id)             the candidate types both sides tried and the pair in use
//   close()
// Negotiation follows the "perfect negotiation" pattern: both sides may offer at any time; on
// a collision the impolite side ignores the other's offer and the polite side rolls back. All
// work on one connection (our offers, their descriptions and candidates) runs one step at a
// time, so an offer of ours never interleaves with theirs being answered. The first offer
// between two pages comes from the impolite side only: Chromium may gather no candidates at
// all after rolling back an offer whose gathering had just begun.
// A watchdog offers again with an ICE restart when a connection makes no progress, and after
// a few tries the impolite side starts a fresh connection, which the other side follows: a lost
// signaling message or a broken path costs seconds, not the call.

const DISCONNECTED_GRACE_MS = 4000;
const WATCH_EVERY_MS = 1000;
const STUCK_MS = { impolite: 5000, polite: 8000 };
const RESTARTS_BEFORE_FRESH = 2;
const CANDIDATE_TYPES = ["host", "srflx", "prflx", "relay"];

function candidateType(candidate) {
  const match = / typ (\w+)/.exec(candidate || "");
  return match ? match[1] : null;
}

// The candidate pair a connection uses, with its two candidates' stats (or null).
function selectedPair(report) {
  let pairId = null;
  report.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  });
  if (!pairId) {
    report.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pairId = s.id;
    });
  }
  const pair = pairId && report.get(pairId);
  if (!pair) return null;
  return {
    pair, local: report.get(pair.localCandidateId), remote: report.get(pair.remoteCandidateId),
  };
}

function fingerprint(sdp) {
  const match = /a=fingerprint:(\S+ \S+)/.exec(sdp || "");
  return match ? match[1] : "";
}

export class MeshLayer {
  constructor({ sendSignal, onRemoteStream, onPeerState }) {
    this.sendSignal = sendSignal;
    this.onRemoteStream = onRemoteStream;
    this.onPeerState = onPeerState;
    this.peers = new Map();
    this.config = { iceServers: [], iceTransportPolicy: "all" };
    this.localStream = null;
    this.events = []; // the latest happenings, for support and tests
    this.watchdog = setInterval(() => this.watch(), WATCH_EVERY_MS);
  }

  note(peer, what) {
    this.events.push(`${Math.round(performance.now())} ${peer.id.slice(0, 6)} ${what}`);
    if (this.events.length > 100) this.events.shift();
  }

  configure(rtc) {
    this.config = {
      iceServers: rtc.iceServers || [],
      iceTransportPolicy: rtc.iceTransportPolicy || "all",
    };
    for (const peer of this.peers.values()) {
      try {
        peer.pc.setConfiguration(this.config); // fresh TURN credentials
      } catch (error) {
        this.note(peer, `configuration refused: ${error}`);
      }
    }
  }

  setLocalStream(stream) {
    this.localStream = stream;
  }

  has(id) {
    return this.peers.has(id);
  }

  ids() {
    return [...this.peers.keys()];
  }

  addPeer({ id, polite }) {
    const known = this.peers.get(id);
    if (known) {
      known.polite = polite;
      return known;
    }
    const peer = {
      id, polite, queue: Promise.resolve(), restarts: 0, sent: 0, received: 0,
      localTypes: new Set(), remoteTypes: new Set(), // every type tried, across restarts
    };
    this.peers.set(id, peer);
    this.connect(peer);
    return peer;
  }

  // A new RTCPeerConnection for the peer (also when starting afresh).
  connect(peer) {
    const pc = new RTCPeerConnection(this.config);
    Object.assign(peer, { pc, ignoreOffer: false, since: Date.now(), stream: null });
    pc.onnegotiationneeded = () => this.enqueue(peer, () => this.offer(peer));
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) {
        peer.sent += 1;
        peer.localTypes.add(candidate.type || candidateType(candidate.candidate));
        this.sendSignal(peer.id, { candidate: candidate.toJSON() });
      }
    };
    pc.ontrack = ({ track, streams }) => {
      peer.stream = streams[0] || peer.stream || new MediaStream();
      if (!peer.stream.getTracks().includes(track)) peer.stream.addTrack(track);
      this.onRemoteStream(peer.id, peer.stream);
    };
    pc.onconnectionstatechange = () => this.stateChanged(peer, pc);
    if (this.localStream) {
      for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    } else {
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
  }

  startAfresh(peer) {
    this.note(peer, "starting a fresh connection");
    const old = peer.pc;
    old.onnegotiationneeded = old.onicecandidate = old.ontrack = null;
    old.onconnectionstatechange = null;
    old.close();
    this.connect(peer);
  }

  enqueue(peer, task) {
    peer.queue = peer.queue.then(task).catch((error) => {
      this.note(peer, `failed: ${error}`);
      console.warn("video", error);
    });
    return peer.queue;
  }

  async offer(peer, { iceRestart = false } = {}) {
    const pc = peer.pc;
    if (peer.polite && !iceRestart && !pc.remoteDescription) return; // theirs comes first
    if (iceRestart && pc.signalingState === "have-local-offer") {
      await pc.setLocalDescription({ type: "rollback" });
    }
    if (pc.signalingState !== "stable") return; // the answer we owe comes first
    if (iceRestart) await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
    else await pc.setLocalDescription();
    this.note(peer, `offer sent${iceRestart ? " (ICE restart)" : ""}`);
    this.sendSignal(peer.id, { description: pc.localDescription.toJSON() });
  }

  signal(id, data, polite) {
    const peer = this.peers.get(id) || this.addPeer({ id, polite });
    return this.enqueue(peer, () => this.handle(peer, data));
  }

  async handle(peer, { description, candidate }) {
    if (candidate) {
      peer.received += 1;
      peer.remoteTypes.add(candidateType(candidate.candidate));
      try {
        await peer.pc.addIceCandidate(candidate);
      } catch (error) {
        // A candidate of an offer we ignored, or of a connection replaced since.
        if (!peer.ignoreOffer) this.note(peer, `candidate refused: ${error}`);
      }
      return;
    }
    if (!description) return;
    let pc = peer.pc;
    this.note(peer, `${description.type} received in ${pc.signalingState}`);
    if (description.type === "offer" && pc.remoteDescription &&
        fingerprint(pc.remoteDescription.sdp) !== fingerprint(description.sdp)) {
      // The other side started a fresh connection (new keys): follow it.
      this.startAfresh(peer);
      pc = peer.pc;
    }
    const collision = description.type === "offer" && pc.signalingState !== "stable";
    peer.ignoreOffer = !peer.polite && collision;
    if (peer.ignoreOffer) {
      this.note(peer, "offer ignored (collision)");
      return;
    }
    if (description.type === "answer" && pc.signalingState !== "have-local-offer") {
      this.note(peer, "answer ignored (no offer of ours is open)");
      return;
    }
    await pc.setRemoteDescription(description); // rolls back an offer of ours if polite
    if (description.type === "offer") {
      await pc.setLocalDescription();
      this.note(peer, "answer sent");
      this.sendSignal(peer.id, { description: pc.localDescription.toJSON() });
    }
  }

  stateChanged(peer, pc) {
    if (pc !== peer.pc) return;
    const state = pc.connectionState;
    this.note(peer, `connection ${state}`);
    clearTimeout(peer.graceTimer);
    if (state === "connected") {
      peer.restarts = 0;
      peer.since = Date.now();
    }
    if (state === "failed") this.enqueue(peer, () => this.offer(peer, { iceRestart: true }));
    if (state === "disconnected") {
      // Often a short network hiccup; if it lasts, look for a new path.
      peer.graceTimer = setTimeout(() => {
        if (pc.connectionState === "disconnected") {
          this.enqueue(peer, () => this.offer(peer, { iceRestart: true }));
        }
      }, DISCONNECTED_GRACE_MS);
    }
    this.onPeerState(peer.id, state);
  }

  // A connection that is not up after a few seconds: a message was lost or the path broke.
  watch() {
    const now = Date.now();
    for (const peer of this.peers.values()) {
      if (peer.pc.connectionState === "connected") {
        peer.since = now;
        continue;
      }
      if (now - peer.since < STUCK_MS[peer.polite ? "polite" : "impolite"]) continue;
      peer.since = now;
      peer.restarts += 1;
      this.note(peer, `no progress (${peer.pc.connectionState}/${peer.pc.signalingState})`);
      if (!peer.polite && peer.restarts > RESTARTS_BEFORE_FRESH) {
        peer.restarts = 0;
        this.enqueue(peer, () => this.startAfresh(peer));
      } else {
        this.enqueue(peer, () => this.offer(peer, { iceRestart: true }));
      }
    }
  }

  removePeer(id) {
    const peer = this.peers.get(id);
    if (!peer) return;
    clearTimeout(peer.graceTimer);
    peer.pc.onconnectionstatechange = null;
    peer.pc.close();
    this.peers.delete(id);
  }

  async replaceTrack(kind, track) {
    for (const peer of this.peers.values()) {
      for (const sender of peer.pc.getSenders()) {
        if (sender.track && sender.track.kind === kind) await sender.replaceTrack(track);
      }
    }
  }

  restartIce() {
    for (const peer of this.peers.values()) {
      if (["failed", "disconnected"].includes(peer.pc.connectionState)) {
        this.enqueue(peer, () => this.offer(peer, { iceRestart: true }));
      }
    }
  }

  async stats() {
    const result = [];
    for (const [id, peer] of this.peers) {
      const report = await peer.pc.getStats();
      const entry = {
        peer: id, state: peer.pc.connectionState, framesDecoded: 0, framesPerSecond: null,
        packetsReceived: 0, packetsLost: 0, roundTripTime: null,
        localCandidateType: null, remoteCandidateType: null, localCandidateTypes: [],
        candidatesSent: peer.sent, candidatesReceived: peer.received,
      };
      report.forEach((s) => {
        if (s.type === "inbound-rtp") {
          entry.packetsReceived += s.packetsReceived || 0;
          entry.packetsLost += s.packetsLost || 0;
          if (s.kind === "video") {
            entry.framesDecoded += s.framesDecoded || 0;
            if (s.framesPerSecond !== undefined) entry.framesPerSecond = s.framesPerSecond;
          }
        }
        if (s.type === "local-candidate" && !entry.localCandidateTypes.includes(s.candidateType)) {
          entry.localCandidateTypes.push(s.candidateType);
        }
      });
      const selected = selectedPair(report);
      if (selected) {
        entry.roundTripTime = selected.pair.currentRoundTripTime ?? null;
        entry.localCandidateType = selected.local ? selected.local.candidateType : null;
        entry.remoteCandidateType = selected.remote ? selected.remote.candidateType : null;
      }
      result.push(entry);
    }
    return result;
  }

  // For support (protocol "diagnostics"): the candidate types this side gathered and the other
  // side sent, and those of the pair in use (null: none), in CANDIDATE_TYPES order.
  async iceReport(id) {
    const peer = this.peers.get(id);
    if (!peer) return null;
    const report = await peer.pc.getStats();
    const local = new Set(peer.localTypes);
    const remote = new Set(peer.remoteTypes);
    report.forEach((s) => {
      if (s.type === "local-candidate") local.add(s.candidateType);
      if (s.type === "remote-candidate") remote.add(s.candidateType);
    });
    const known = (types) => CANDIDATE_TYPES.filter((type) => types.has(type));
    const pair = selectedPair(report);
    const ends = pair && pair.local && pair.remote
      ? [pair.local.candidateType, pair.remote.candidateType] : [];
    const selected = ends.length && ends.every((type) => CANDIDATE_TYPES.includes(type))
      ? { local: ends[0], remote: ends[1] } : null;
    return { local: known(local), remote: known(remote), selected };
  }

  close() {
    clearInterval(this.watchdog);
    for (const id of this.ids()) this.removePeer(id);
  }
}

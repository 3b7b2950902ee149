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
//   stats()                   per peer: frames decoded, candidate types, round trip, losses
//   close()
// Negotiation follows the "perfect negotiation" pattern: both sides may offer at any time; on
// a collision the impolite side ignores the other's offer and the polite side rolls back.

const DISCONNECTED_GRACE_MS = 4000;

export class MeshLayer {
  constructor({ sendSignal, onRemoteStream, onPeerState }) {
    this.sendSignal = sendSignal;
    this.onRemoteStream = onRemoteStream;
    this.onPeerState = onPeerState;
    this.peers = new Map();
    this.config = { iceServers: [], iceTransportPolicy: "all" };
    this.localStream = null;
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
        console.warn("setConfiguration", error);
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
    const pc = new RTCPeerConnection(this.config);
    const peer = {
      id, polite, pc,
      makingOffer: false, ignoreOffer: false, settingAnswer: false,
      queue: Promise.resolve(), stream: null, reported: null,
    };
    this.peers.set(id, peer);
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        this.sendSignal(id, { description: pc.localDescription.toJSON() });
      } catch (error) {
        console.warn("offer", error);
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.sendSignal(id, { candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, streams }) => {
      peer.stream = streams[0] || peer.stream || new MediaStream();
      if (!peer.stream.getTracks().includes(track)) peer.stream.addTrack(track);
      this.onRemoteStream(id, peer.stream);
    };
    pc.onconnectionstatechange = () => this.stateChanged(peer);
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === "failed") pc.restartIce();
    };
    if (this.localStream) {
      for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    } else {
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    return peer;
  }

  stateChanged(peer) {
    const state = peer.pc.connectionState;
    clearTimeout(peer.graceTimer);
    if (state === "failed") peer.pc.restartIce();
    if (state === "disconnected") {
      // Often a short network hiccup; if it lasts, look for a new path.
      peer.graceTimer = setTimeout(() => {
        if (peer.pc.connectionState === "disconnected") peer.pc.restartIce();
      }, DISCONNECTED_GRACE_MS);
    }
    this.onPeerState(peer.id, state);
  }

  signal(id, data, polite) {
    const peer = this.peers.get(id) || this.addPeer({ id, polite });
    // One message at a time per peer: a candidate waits for the description before it.
    peer.queue = peer.queue.then(() => this.handle(peer, data)).catch((error) => {
      console.warn("signal", error);
    });
    return peer.queue;
  }

  async handle(peer, { description, candidate }) {
    const pc = peer.pc;
    if (description) {
      const readyForOffer = !peer.makingOffer &&
        (pc.signalingState === "stable" || peer.settingAnswer);
      const collision = description.type === "offer" && !readyForOffer;
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      peer.settingAnswer = description.type === "answer";
      await pc.setRemoteDescription(description); // rolls back our own offer if needed
      peer.settingAnswer = false;
      if (description.type === "offer") {
        await pc.setLocalDescription();
        this.sendSignal(peer.id, { description: pc.localDescription.toJSON() });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!peer.ignoreOffer) throw error;
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
        if (sender.track ? sender.track.kind === kind : false) await sender.replaceTrack(track);
      }
    }
  }

  restartIce() {
    for (const peer of this.peers.values()) {
      if (["failed", "disconnected"].includes(peer.pc.connectionState)) peer.pc.restartIce();
    }
  }

  async stats() {
    const result = [];
    for (const [id, peer] of this.peers) {
      const report = await peer.pc.getStats();
      const entry = {
        peer: id, state: peer.pc.connectionState, framesDecoded: 0, framesPerSecond: null,
        packetsReceived: 0, packetsLost: 0, roundTripTime: null,
        localCandidateType: null, remoteCandidateType: null,
      };
      let pairId = null;
      report.forEach((s) => {
        if (s.type === "inbound-rtp") {
          entry.packetsReceived += s.packetsReceived || 0;
          entry.packetsLost += s.packetsLost || 0;
          if (s.kind === "video") {
            entry.framesDecoded += s.framesDecoded || 0;
            if (s.framesPerSecond !== undefined) entry.framesPerSecond = s.framesPerSecond;
          }
        }
        if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      });
      if (!pairId) {
        report.forEach((s) => {
          if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pairId = s.id;
        });
      }
      const pair = pairId && report.get(pairId);
      if (pair) {
        entry.roundTripTime = pair.currentRoundTripTime ?? null;
        const local = report.get(pair.localCandidateId);
        const remote = report.get(pair.remoteCandidateId);
        entry.localCandidateType = local ? local.candidateType : null;
        entry.remoteCandidateType = remote ? remote.candidateType : null;
      }
      result.push(entry);
    }
    return result;
  }

  close() {
    for (const id of this.ids()) this.removePeer(id);
  }
}

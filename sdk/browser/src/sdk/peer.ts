// PeerConnection: one RTCPeerConnection carrying one Stream, either sending
// (publisher) or receiving (subscriber). The browser always offers; the
// server answers. Remote candidates that arrive before the answer wait.

import { log } from './log.js';

export interface PeerOptions {
    iceServers: RTCIceServer[];
    rtcConfiguration?: RTCConfiguration;
    /** A local candidate to trickle to the server (never the end-of-candidates marker). */
    onLocalCandidate: (c: RTCIceCandidate) => void;
    onIceStateChange: (state: RTCIceConnectionState) => void;
}

export class PeerConnection {
    readonly pc: RTCPeerConnection;
    private pendingRemote: RTCIceCandidateInit[] = [];
    private closed = false;
    private readonly localCandidates: RTCIceCandidate[] = [];
    private readonly remoteCandidates: RTCIceCandidateInit[] = [];

    constructor(opts: PeerOptions) {
        const config: RTCConfiguration = { ...(opts.rtcConfiguration ?? {}) };
        if (!config.iceServers || config.iceServers.length === 0) config.iceServers = opts.iceServers;
        this.pc = new RTCPeerConnection(config);
        this.pc.addEventListener('icecandidate', (ev) => {
            if (!ev.candidate || !ev.candidate.candidate) return;
            this.localCandidates.push(ev.candidate);
            opts.onLocalCandidate(ev.candidate);
        });
        this.pc.addEventListener('iceconnectionstatechange', () => {
            if (!this.closed) opts.onIceStateChange(this.pc.iceConnectionState);
        });
    }

    /** Offer to send the stream's tracks, audio first, one sendonly transceiver each. */
    async offerToSend(stream: MediaStream): Promise<string> {
        for (const track of [...stream.getAudioTracks(), ...stream.getVideoTracks()]) {
            this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
        }
        return this.offer();
    }

    /** Offer to receive the kinds the remote stream has, audio first. */
    async offerToReceive(hasAudio: boolean, hasVideo: boolean): Promise<string> {
        if (hasAudio) this.pc.addTransceiver('audio', { direction: 'recvonly' });
        if (hasVideo) this.pc.addTransceiver('video', { direction: 'recvonly' });
        return this.offer();
    }

    private async offer(): Promise<string> {
        const offer = await this.pc.createOffer();
        await this.pc.setLocalDescription(offer);
        return this.pc.localDescription?.sdp ?? offer.sdp ?? '';
    }

    async applyAnswer(sdp: string): Promise<void> {
        if (this.closed) throw new Error('PeerConnection closed');
        await this.pc.setRemoteDescription({ type: 'answer', sdp });
        const queued = this.pendingRemote;
        this.pendingRemote = [];
        for (const c of queued) await this.addCandidateNow(c);
    }

    /** Adds a server candidate now, or after the answer if it came first. */
    addRemoteCandidate(c: RTCIceCandidateInit): void {
        if (this.closed) return;
        this.remoteCandidates.push(c);
        if (!this.pc.remoteDescription || this.pc.signalingState !== 'stable') {
            this.pendingRemote.push(c);
            return;
        }
        void this.addCandidateNow(c);
    }

    private async addCandidateNow(c: RTCIceCandidateInit): Promise<void> {
        try {
            await this.pc.addIceCandidate(c);
        } catch (e) {
            log.warn('could not add a remote ICE candidate', c.candidate, String(e));
        }
    }

    private statsLevel: number | undefined;
    private statsPending = false;

    /**
     * Level (0..1) of the audio received lately, as the WebRTC stack
     * measures it; undefined when unknown. From the receiver's sources
     * when the sender marks levels, else from its stats (refreshed in the
     * background: each call returns the last value and asks for the next).
     */
    receivedAudioLevel(): number | undefined {
        const r = this.pc.getReceivers().find((x) => x.track?.kind === 'audio');
        if (!r) return undefined;
        const level = r.getSynchronizationSources?.()[0]?.audioLevel;
        if (level !== undefined) return level;
        if (!this.statsPending && !this.closed) {
            this.statsPending = true;
            r.getStats()
                .then((stats) => {
                    stats.forEach((s: any) => {
                        if (s.type === 'inbound-rtp' && typeof s.audioLevel === 'number') this.statsLevel = s.audioLevel;
                    });
                })
                .catch(() => {})
                .finally(() => {
                    this.statsPending = false;
                });
        }
        return this.statsLevel;
    }

    /** Tracks received so far, as one MediaStream (subscribers). */
    remoteMediaStream(): MediaStream {
        const ms = new MediaStream();
        for (const r of this.pc.getReceivers()) if (r.track) ms.addTrack(r.track);
        return ms;
    }

    /** Swaps the track being sent for one of the same kind, without renegotiation. */
    async replaceTrack(track: MediaStreamTrack): Promise<void> {
        const sender = this.pc.getSenders().find((s) => s.track?.kind === track.kind) ??
            this.pc.getTransceivers().find((t) => t.receiver.track?.kind === track.kind)?.sender;
        if (!sender) throw new Error(`no ${track.kind} sender to replace`);
        await sender.replaceTrack(track);
    }

    get iceState(): RTCIceConnectionState {
        return this.pc.iceConnectionState;
    }

    /** Whether ICE is neither connected nor completed (a reconnection should renegotiate). */
    get iceBroken(): boolean {
        const s = this.pc.iceConnectionState;
        return s !== 'connected' && s !== 'completed';
    }

    localCandidateList(): RTCIceCandidate[] {
        return this.localCandidates.slice();
    }

    remoteCandidateList(): RTCIceCandidate[] {
        return this.remoteCandidates.map((c) => new RTCIceCandidate(c));
    }

    close(): void {
        if (this.closed) return;
        this.closed = true;
        this.pendingRemote = [];
        try {
            this.pc.close();
        } catch {
            // already closed
        }
    }
}

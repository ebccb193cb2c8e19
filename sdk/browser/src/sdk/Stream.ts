import type { Connection } from './Connection.js';
import { TypeOfVideo } from './enums.js';
import { OpenViduError, OpenViduErrorName } from './errors.js';
import { ExceptionEventName, PublisherSpeakingEvent, StreamManagerEvent } from './events.js';
import { Filter } from './Filter.js';
import { log } from './log.js';
import { PeerConnection } from './peer.js';
import { ALREADY_SUBSCRIBED, publishVideoParams, toRTCIceServers } from './protocol.js';
import type { StreamOptionsServer } from './protocol.js';
import type { PublisherProperties } from './Publisher.js';
import type { Session } from './Session.js';
import { ReceivedLevelMonitor, SpeakingDetector, VolumeMonitor } from './speaking.js';
import type { LevelSource, VolumeSample } from './speaking.js';
import type { StreamManager } from './StreamManager.js';

/**
 * The media of one participant: a local stream (owned by a Publisher) or a
 * remote one (announced by the server, received by a Subscriber).
 */
export class Stream {
    connection!: Connection;
    frameRate?: number;
    hasVideo = false;
    hasAudio = false;
    videoActive = false;
    audioActive = false;
    streamId = '';
    creationTime = 0;
    typeOfVideo?: keyof typeof TypeOfVideo;
    streamManager!: StreamManager;
    videoDimensions: { width: number; height: number } = { width: 0, height: 0 };
    filter?: Filter;
    session: Session;
    isLocalStreamReadyToPublish = false;
    isLocalStreamPublished = false;
    publishedOnce = false;

    /** @internal */
    mediaStream?: MediaStream;
    /** @internal */
    peer?: PeerConnection;
    /** @internal Properties of a local stream. */
    publisherProperties?: PublisherProperties;
    /** @internal Last video constraints, to re-acquire the camera after publishVideo(false, true). */
    lastVideoTrackConstraints?: MediaTrackConstraints | boolean;
    private readonly local: boolean;
    private speakingOptions: { interval: number; threshold: number };
    private volume?: LevelSource;
    private detector?: SpeakingDetector;
    private iceDisconnectedTimer: ReturnType<typeof setTimeout> | undefined;
    private reconnecting?: Promise<void>;

    /** @internal */
    constructor(session: Session, options: { publisherProperties: PublisherProperties } | { server: StreamOptionsServer; connection: Connection }) {
        this.session = session;
        const cfg = session.openvidu.advancedConfiguration.publisherSpeakingEventsOptions ?? {};
        this.speakingOptions = { interval: cfg.interval ?? 100, threshold: cfg.threshold ?? -50 };
        if ('server' in options) {
            this.local = false;
            this.connection = options.connection;
            this.applyServerOptions(options.server);
        } else {
            this.local = true;
            const p = options.publisherProperties;
            this.publisherProperties = p;
            this.hasAudio = p.audioSource !== false;
            this.hasVideo = p.videoSource !== false;
            this.audioActive = this.hasAudio && p.publishAudio !== false;
            this.videoActive = this.hasVideo && p.publishVideo !== false;
            if (this.hasVideo) {
                if (p.videoSource === 'screen') this.typeOfVideo = TypeOfVideo.SCREEN;
                else if (typeof MediaStreamTrack !== 'undefined' && p.videoSource instanceof MediaStreamTrack) this.typeOfVideo = TypeOfVideo.CUSTOM;
                else this.typeOfVideo = TypeOfVideo.CAMERA;
            }
            this.frameRate = p.frameRate;
        }
    }

    /** @internal */
    applyServerOptions(o: StreamOptionsServer): void {
        this.streamId = o.id;
        this.creationTime = o.createdAt;
        this.hasAudio = o.hasAudio;
        this.hasVideo = o.hasVideo;
        this.audioActive = o.audioActive;
        this.videoActive = o.videoActive;
        this.typeOfVideo = o.typeOfVideo;
        this.frameRate = o.frameRate === -1 ? undefined : o.frameRate;
        if (o.videoDimensions) this.videoDimensions = o.videoDimensions;
        if (o.filter) {
            this.filter = new Filter(o.filter.type, o.filter.options);
            this.filter.stream = this;
            this.filter.lastExecMethod = o.filter.lastExecMethod;
        }
    }

    isLocal(): boolean {
        return this.local;
    }

    /** The MediaStream of the stream (local capture, or what is received). */
    getMediaStream(): MediaStream {
        return this.mediaStream as MediaStream;
    }

    /** @internal */
    getMediaStreamIfAny(): MediaStream | undefined {
        return this.mediaStream;
    }

    getRTCPeerConnection(): RTCPeerConnection {
        return this.peer?.pc as RTCPeerConnection;
    }

    getLocalIceCandidateList(): RTCIceCandidate[] {
        return this.peer?.localCandidateList() ?? [];
    }

    getRemoteIceCandidateList(): RTCIceCandidate[] {
        return this.peer?.remoteCandidateList() ?? [];
    }

    /** The ICE candidate pair in use: local and remote candidate stats. */
    async getSelectedIceCandidate(): Promise<any> {
        const pc = this.peer?.pc;
        if (!pc) throw new Error('The stream has no PeerConnection');
        const report = await pc.getStats();
        let pairId: string | undefined;
        report.forEach((s: any) => {
            if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
        });
        if (!pairId) report.forEach((s: any) => {
            if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId = s.id;
        });
        const pair: any = pairId ? report.get(pairId) : undefined;
        if (!pair) throw new Error('No ICE candidate pair selected yet');
        return { localCandidate: report.get(pair.localCandidateId), remoteCandidate: report.get(pair.remoteCandidateId) };
    }

    /** Whether the stream's ICE connection is failed, disconnected or closed. */
    streamIceConnectionStateBroken(): boolean {
        const s = this.peer?.iceState;
        return s === 'failed' || s === 'disconnected' || s === 'closed';
    }

    /** Renegotiates the stream's media on a new PeerConnection (same stream id). */
    reconnect(): Promise<void> {
        return this.renegotiate('API');
    }

    /** Server-side filters are a Kurento feature; govidu answers that they are not supported. */
    async applyFilter(type: string, options: Object): Promise<Filter> {
        await this.session.request('applyFilter', { streamId: this.streamId, type, options: JSON.stringify(options ?? {}) }, 'apply a filter');
        const f = new Filter(type, options);
        f.stream = this;
        this.filter = f;
        return f;
    }

    async removeFilter(): Promise<void> {
        await this.session.request('removeFilter', { streamId: this.streamId }, 'remove a filter');
        delete this.filter;
    }

    /** @internal */
    setMediaStream(ms: MediaStream | undefined): void {
        this.mediaStream = ms;
        this.streamManager?.updateMediaStream(ms);
        this.updateSpeakingDetection();
    }

    /** @internal Publishes the local media: offer, publishVideo, answer. */
    async publish(): Promise<void> {
        const ms = this.mediaStream;
        if (!ms) throw new OpenViduError(OpenViduErrorName.GENERIC_ERROR, 'The publisher has no media to publish');
        this.connection = this.session.connection;
        const peer = this.newPeer();
        const sdpOffer = await peer.offerToSend(ms);
        let result: any;
        try {
            result = await this.session.rpc.request(
                'publishVideo',
                publishVideoParams({
                    sdpOffer,
                    doLoopback: false,
                    hasAudio: this.hasAudio,
                    hasVideo: this.hasVideo,
                    audioActive: this.audioActive,
                    videoActive: this.videoActive,
                    typeOfVideo: this.typeOfVideo,
                    frameRate: this.frameRate,
                    videoDimensions: this.hasVideo ? this.videoDimensions : undefined
                })
            );
        } catch (e: any) {
            this.disposePeer();
            if (e?.code === 401) throw new OpenViduError(OpenViduErrorName.OPENVIDU_PERMISSION_DENIED, "You don't have permissions to publish");
            throw e;
        }
        await peer.applyAnswer(result.sdpAnswer);
        this.streamId = result.id;
        this.creationTime = result.createdAt;
        this.isLocalStreamPublished = true;
        this.publishedOnce = true;
        this.connection.addStream(this);
        this.updateSpeakingDetection();
    }

    /**
     * @internal Subscribes to the remote stream: recvonly offer, receiveVideoFrom, answer.
     * When the signaling drops meanwhile, it tries again once the session has
     * reconnected (the request may have reached the server: then the
     * subscription exists and is renegotiated with reconnectStream).
     */
    async subscribe(): Promise<void> {
        for (let attempt = 1; ; attempt++) {
            const peer = this.newPeer();
            const sdpOffer = await peer.offerToReceive(this.hasAudio, this.hasVideo);
            let result: any;
            try {
                result = await this.requestSubscription(sdpOffer, attempt > 1);
            } catch (e: any) {
                this.disposePeer();
                const lost = e?.code === undefined; // no answer from the server: the socket failed or timed out
                if (lost && attempt < 3 && (await this.session.signalingRecovered())) {
                    log.warn(`the signaling failed while subscribing to ${this.streamId}: trying again`);
                    continue;
                }
                const err: any = new Error('Error on receiveVideoFrom: ' + JSON.stringify({ code: e?.code, message: e?.message ?? String(e) }));
                if (e?.code !== undefined) err.code = e.code;
                throw err;
            }
            await peer.applyAnswer(result.sdpAnswer);
            this.setMediaStream(peer.remoteMediaStream());
            this.applyRemoteTrackState();
            return;
        }
    }

    private async requestSubscription(sdpOffer: string, retry: boolean): Promise<any> {
        try {
            return await this.session.rpc.request('receiveVideoFrom', { sender: this.streamId, sdpOffer });
        } catch (e: any) {
            if (retry && e?.code === ALREADY_SUBSCRIBED) {
                return this.session.rpc.request('reconnectStream', { stream: this.streamId, sdpOffer, forciblyReconnect: false });
            }
            throw e;
        }
    }

    /** @internal Enables received tracks per the Subscriber's wishes and the publisher's mute state. */
    applyRemoteTrackState(): void {
        const ms = this.mediaStream;
        if (!ms || this.local) return;
        const props = (this.streamManager as any)?.properties ?? {};
        for (const t of ms.getAudioTracks()) t.enabled = props.subscribeToAudio !== false;
        for (const t of ms.getVideoTracks()) t.enabled = props.subscribeToVideo !== false && this.videoActive;
    }

    /** @internal A candidate from the server for this stream's PeerConnection. */
    addRemoteCandidate(c: RTCIceCandidateInit): void {
        if (this.peer) this.peer.addRemoteCandidate(c);
        else log.warn(`ICE candidate for stream ${this.streamId} without a PeerConnection`);
    }

    private newPeer(): PeerConnection {
        this.disposePeer();
        const adv = this.session.openvidu.advancedConfiguration;
        let iceServers = toRTCIceServers(this.session.connection?.localOptions?.customIceServers);
        if (Array.isArray(adv.iceServers)) iceServers = adv.iceServers;
        else if (adv.rtcConfiguration?.iceServers?.length) iceServers = adv.rtcConfiguration.iceServers;
        const peer = new PeerConnection({
            iceServers,
            rtcConfiguration: adv.rtcConfiguration,
            onLocalCandidate: (c) => this.sendCandidate(peer, c),
            onIceStateChange: (state) => this.onIceState(peer, state)
        });
        this.peer = peer;
        return peer;
    }

    private sendCandidate(peer: PeerConnection, c: RTCIceCandidate): void {
        if (this.peer !== peer) return;
        // endpointName is the id of the connection owning the stream.
        const endpointName = this.local ? this.session.connection.connectionId : this.connection.connectionId;
        this.session.rpc
            .request('onIceCandidate', { endpointName, candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex })
            .catch((e) => {
                if (!this.session.rpc.isOpen) return;
                this.session.emitException(ExceptionEventName.ICE_CANDIDATE_ERROR, this, `Server could not add an ICE candidate: ${e?.message ?? e}`, e);
            });
    }

    private onIceState(peer: PeerConnection, state: RTCIceConnectionState): void {
        if (this.peer !== peer) return;
        log.info(`ICE ${state} on ${this.local ? 'publisher' : 'subscriber'} ${this.streamId}`);
        if (this.iceDisconnectedTimer) clearTimeout(this.iceDisconnectedTimer);
        this.iceDisconnectedTimer = undefined;
        const origin = this.local ? this : ((this.streamManager as any) ?? this);
        if (state === 'failed') {
            this.session.emitException(ExceptionEventName.ICE_CONNECTION_FAILED, origin, `IceConnectionState of ${this.streamId} is failed`);
            void this.renegotiateIfSignalingAlive();
        } else if (state === 'disconnected') {
            const timeout = this.session.openvidu.advancedConfiguration.iceConnectionDisconnectedExceptionTimeout ?? 4000;
            this.iceDisconnectedTimer = setTimeout(() => {
                this.iceDisconnectedTimer = undefined;
                if (this.peer !== peer || peer.iceState !== 'disconnected') return;
                this.session.emitException(
                    ExceptionEventName.ICE_CONNECTION_DISCONNECTED,
                    origin,
                    `IceConnectionState of ${this.streamId} has been disconnected for ${timeout} ms`
                );
                void this.renegotiateIfSignalingAlive();
            }, timeout);
        }
    }

    /** Media reconnection on ICE trouble, only if the WebSocket answers an echo within 3 s. */
    private async renegotiateIfSignalingAlive(): Promise<void> {
        if (!this.session.rpc.isOpen) return; // the socket reconnection will renegotiate
        const alive = await Promise.race([
            this.session.rpc.request('echo', {}).then(() => true, () => false),
            new Promise<boolean>((r) => setTimeout(() => r(false), 3000))
        ]);
        if (alive) await this.renegotiate('ICE').catch((e) => log.warn(`could not reconnect stream ${this.streamId}`, e));
    }

    /** @internal New PeerConnection + reconnectStream, keeping the stream id. */
    renegotiate(why: string): Promise<void> {
        if (this.reconnecting) return this.reconnecting;
        this.reconnecting = (async () => {
            log.info(`reconnecting the media of ${this.streamId} (${why})`);
            const peer = this.newPeer();
            if (this.local) {
                if (!this.mediaStream) throw new Error('no local media');
                const sdpString = await peer.offerToSend(this.mediaStream);
                const result: any = await this.session.rpc.request('reconnectStream', { stream: this.streamId, sdpString });
                await peer.applyAnswer(result.sdpAnswer);
                if (result.id) this.streamId = result.id;
            } else {
                const sdpOffer = await peer.offerToReceive(this.hasAudio, this.hasVideo);
                const result: any = await this.session.rpc.request('reconnectStream', { stream: this.streamId, sdpOffer, forciblyReconnect: false });
                await peer.applyAnswer(result.sdpAnswer);
                this.streamManager?.resetPlaying();
                this.setMediaStream(peer.remoteMediaStream());
                this.applyRemoteTrackState();
            }
        })().finally(() => {
            this.reconnecting = undefined;
        });
        return this.reconnecting;
    }

    /** @internal Whether ICE is not connected (a socket reconnection renegotiates these). */
    iceBroken(): boolean {
        return !!this.peer && this.peer.iceBroken;
    }

    /** @internal */
    disposePeer(): void {
        if (this.iceDisconnectedTimer) clearTimeout(this.iceDisconnectedTimer);
        this.iceDisconnectedTimer = undefined;
        this.peer?.close();
        this.peer = undefined;
    }

    /** @internal Stops local capture; forgets received media. */
    disposeMediaStream(): void {
        this.stopSpeakingDetection();
        if (this.mediaStream && this.local) for (const t of this.mediaStream.getTracks()) t.stop();
        this.mediaStream = undefined;
    }

    /** @internal Default behaviour of streamDestroyed. */
    destroyedDefault(target: Session | StreamManager): void {
        if (target === this.session) this.disposePeer();
        else this.session.openvidu.forgetPublisher(target);
        this.disposeMediaStream();
        this.streamManager?.removeAllVideos();
        this.session.remoteStreamsCreated.delete(this.streamId);
        const remote = this.session.remoteConnections.get(this.connection?.connectionId);
        const opts = remote?.remoteOptions;
        if (opts) opts.streams = opts.streams.filter((s) => s.id !== this.streamId);
    }

    /** @internal Called by the StreamManager when no video started playing in time. */
    noStreamPlaying(timeout: number): void {
        this.session.emitException(
            ExceptionEventName.NO_STREAM_PLAYING_EVENT,
            (this.streamManager as any) ?? this,
            `No streamPlaying event after ${timeout} ms for stream ${this.streamId}`
        );
    }

    /** @internal */
    setSpeakingOptions(o: { interval?: number; threshold?: number }): void {
        if (o.interval !== undefined) this.speakingOptions.interval = o.interval;
        if (o.threshold !== undefined) this.speakingOptions.threshold = o.threshold;
        if (this.volume) {
            this.stopSpeakingDetection();
            this.updateSpeakingDetection();
        }
    }

    /** @internal Starts or stops the analyser depending on who listens. */
    updateSpeakingDetection(): void {
        const wanted = this.speakingWanted();
        if (wanted && !this.volume && this.mediaStream && this.mediaStream.getAudioTracks().length > 0) {
            this.detector = new SpeakingDetector(this.speakingOptions.threshold);
            const onSample = (s: VolumeSample) => this.onVolume(s.db, s.previous);
            const monitor: LevelSource = this.local
                ? new VolumeMonitor(this.mediaStream, this.speakingOptions.interval, onSample)
                : new ReceivedLevelMonitor(() => this.peer?.receivedAudioLevel(), this.speakingOptions.interval, onSample);
            if (monitor.running) this.volume = monitor;
        } else if (!wanted && this.volume) {
            this.stopSpeakingDetection();
        }
    }

    private speakingWanted(): boolean {
        const sm = this.streamManager;
        const session = this.session;
        const onSession = session.ee.count('publisherStartSpeaking') + session.ee.count('publisherStopSpeaking') > 0;
        const onManager = !!sm && sm.ee.count('publisherStartSpeaking') + sm.ee.count('publisherStopSpeaking') + sm.ee.count('streamAudioVolumeChange') > 0;
        // A local stream speaks in the session only once published.
        return (onSession && (!this.local || this.isLocalStreamPublished)) || onManager;
    }

    private onVolume(db: number, previous: number): void {
        if (!this.speakingWanted()) {
            this.stopSpeakingDetection();
            return;
        }
        const sm = this.streamManager;
        if (sm) sm.emitEvent('streamAudioVolumeChange', new StreamManagerEvent(sm, 'streamAudioVolumeChange', { newValue: db, oldValue: previous }));
        const change = this.detector?.push(db);
        if (!change || !this.connection) return;
        const type = change === 'start' ? 'publisherStartSpeaking' : 'publisherStopSpeaking';
        if (!this.local || this.isLocalStreamPublished) {
            this.session.emitEvent(type, new PublisherSpeakingEvent(this.session, type, this.connection, this.streamId));
        }
        if (sm) sm.emitEvent(type, new PublisherSpeakingEvent(sm, type, this.connection, this.streamId));
    }

    private stopSpeakingDetection(): void {
        this.volume?.stop();
        this.volume = undefined;
        this.detector = undefined;
    }
}


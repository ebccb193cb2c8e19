import { Connection } from './Connection.js';
import type { ConnectionEventReason, StreamEventReason } from './enums.js';
import { EventDispatcher } from './emitter.js';
import { OpenViduError, OpenViduErrorName } from './errors.js';
import {
    ConnectionEvent,
    ConnectionPropertyChangedEvent,
    ExceptionEvent,
    ExceptionEventName,
    FilterEvent,
    NetworkQualityLevelChangedEvent,
    RecordingEvent,
    SessionDisconnectedEvent,
    SignalEvent,
    SpeechToTextEvent,
    StreamEvent,
    StreamPropertyChangedEvent,
    dispatchWithDefault
} from './events.js';
import type { SessionEventMap } from './events.js';
import { log } from './log.js';
import type { OpenVidu } from './OpenVidu.js';
import { platformName } from './platform.js';
import { compatibleServerVersion, decodePropertyValue, joinRoomParams, parseJoinRoomResult, parseRemoteConnection } from './protocol.js';
import type { RemoteConnectionOptions } from './protocol.js';
import type { Publisher } from './Publisher.js';
import { CloseCode, SignalClient } from './signalclient.js';
import { Stream } from './Stream.js';
import type { StreamManager } from './StreamManager.js';
import { Subscriber } from './Subscriber.js';
import type { SubscriberProperties } from './Subscriber.js';
import { parseToken, signalingUrl } from './token.js';

export interface Capabilities {
    forceDisconnect: boolean;
    forceUnpublish: boolean;
    publish: boolean;
    subscribe: boolean;
}

export interface SignalOptions {
    data?: string;
    to?: Connection[];
    type?: string;
}

/** A video call: connect with a token, then publish, subscribe, signal. */
export class Session extends EventDispatcher {
    connection!: Connection;
    sessionId = '';
    streamManagers: StreamManager[] = [];
    capabilities: Capabilities = { forceDisconnect: false, forceUnpublish: false, publish: false, subscribe: false };
    remoteStreamsCreated = new Map<string, boolean>();
    remoteConnections = new Map<string, Connection>();
    openvidu: OpenVidu;
    token = '';
    /** @internal The JSON-RPC client (undefined before connect). */
    rpc!: SignalClient;
    private joined = false;
    /** Waiting for the signaling to come back after a loss (see signalingRecovered). */
    private recoveryWaiters: Array<(ok: boolean) => void> = [];
    /** From a signaling loss until the server took us back (reconnected). */
    private signalingDown = false;
    private videoDataTimer: ReturnType<typeof setInterval> | undefined;

    /** @internal */
    constructor(openvidu: OpenVidu) {
        super();
        this.openvidu = openvidu;
    }

    on<K extends keyof SessionEventMap>(type: K, handler: (event: SessionEventMap[K]) => void): this {
        return this.addHandler(type as string, handler, false);
    }

    once<K extends keyof SessionEventMap>(type: K, handler: (event: SessionEventMap[K]) => void): this {
        return this.addHandler(type as string, handler, true);
    }

    off<K extends keyof SessionEventMap>(type: K, handler?: (event: SessionEventMap[K]) => void): this {
        return this.removeHandler(type as string, handler);
    }

    protected override listenerAdded(type: string): void {
        if (type === 'publisherStartSpeaking' || type === 'publisherStopSpeaking') this.updateSpeaking();
    }

    protected override listenerRemoved(type: string): void {
        if (type === 'publisherStartSpeaking' || type === 'publisherStopSpeaking') this.updateSpeaking();
    }

    private updateSpeaking(): void {
        for (const s of this.allStreams()) s.updateSpeakingDetection();
    }

    private allStreams(): Stream[] {
        const out: Stream[] = [];
        if (this.connection?.stream) out.push(this.connection.stream);
        for (const c of this.remoteConnections.values()) if (c.stream) out.push(c.stream);
        return out;
    }

    /**
     * Joins the session of the token. Resolves once connected (after the
     * connectionCreated/streamCreated events of everyone already there);
     * rejects with `Error('Token not valid ...')`, with the server's error
     * (`code`, `message`), or when the server cannot be reached.
     */
    async connect(token: string, metadata?: any): Promise<void> {
        if (this.joined) throw new Error('Session is already connected');
        const t = parseToken(token);
        this.token = token;
        this.sessionId = t.sessionId;
        this.openvidu.wsUri = t.wsUri;
        this.openvidu.httpUri = t.httpUri;
        this.openvidu.secret = t.secret;
        this.openvidu.recorder = t.recorder;
        this.openvidu.stt = t.stt;
        this.rpc = new SignalClient({
            url: signalingUrl(t),
            socketFactory: this.openvidu.socketFactory,
            onNotification: (m, p) => this.onNotification(m, p),
            onConnectionLost: () => this.onConnectionLost(),
            onReopened: () => void this.onReopened(),
            onGiveUp: () => this.leave(true, 'networkDisconnect')
        });
        await this.rpc.open();
        let raw: any;
        try {
            raw = await this.rpc.request('joinRoom', joinRoomParams(token, t, metadata, platformName()));
        } catch (e) {
            this.rpc.close();
            throw e;
        }
        this.processJoinRoom(raw);
    }

    private processJoinRoom(raw: any): void {
        const opts = parseJoinRoomResult(raw);
        if (!compatibleServerVersion(opts.version)) log.error(`OpenVidu server version ${opts.version} may not be compatible with this SDK`);
        this.connection = new Connection(this, opts);
        if (opts.session) this.sessionId = opts.session;
        this.openvidu.role = opts.role;
        this.openvidu.mediaServer = opts.mediaServer;
        this.openvidu.finalUserId = opts.finalUserId ?? '';
        const role = opts.role;
        this.capabilities = {
            subscribe: true,
            publish: role !== 'SUBSCRIBER',
            forceUnpublish: role === 'MODERATOR',
            forceDisconnect: role === 'MODERATOR'
        };
        this.joined = true;
        const remotes = opts.value.map((o) => this.addRemote(o));
        this.emitEvent('connectionCreated', new ConnectionEvent(false, this, 'connectionCreated', this.connection, ''));
        for (const c of remotes) this.emitEvent('connectionCreated', new ConnectionEvent(false, this, 'connectionCreated', c, ''));
        for (const c of remotes) if (c.stream) this.announceStream(c.stream);
        if (opts.recordingId && opts.recordingName) {
            this.emitEvent('recordingStarted', new RecordingEvent(this, 'recordingStarted', opts.recordingId, opts.recordingName));
        }
    }

    /** Creates (or refreshes) a remote connection and its stream, without events. */
    private addRemote(o: RemoteConnectionOptions): Connection {
        let c = this.remoteConnections.get(o.id);
        if (!c) {
            c = new Connection(this, o);
            this.remoteConnections.set(o.id, c);
        } else {
            c.remoteOptions = o;
        }
        const s = o.streams[0];
        if (s && c.stream?.streamId !== s.id) c.addStream(new Stream(this, { server: s, connection: c }));
        return c;
    }

    private announceStream(stream: Stream): void {
        if (this.remoteStreamsCreated.has(stream.streamId)) return;
        this.remoteStreamsCreated.set(stream.streamId, true);
        this.emitEvent('streamCreated', new StreamEvent(false, this, 'streamCreated', stream, ''));
    }

    /** Leaves the session: leaveRoom, then the socket closes; sessionDisconnected fires at once. */
    disconnect(): void {
        this.leave(false, 'disconnect');
    }

    /** @internal */
    leave(forced: boolean, reason: ConnectionEventReason | string): void {
        if (!this.rpc || this.rpc.isClosed) return;
        const rpc = this.rpc;
        if (!forced && rpc.isOpen && this.joined) {
            rpc.request('leaveRoom', {}).catch((e) => log.warn('leaveRoom failed', e)).finally(() => rpc.close());
        } else {
            rpc.close();
        }
        this.stopVideoData();
        const wasJoined = this.joined;
        this.joined = false;
        this.settleRecovery(false);
        const own = this.connection?.stream;
        if (own) {
            own.disposePeer();
            if (own.isLocalStreamPublished) this.stopPublisher(own, reason as StreamEventReason);
        }
        if (wasJoined && !this.connection.disposed) {
            this.connection.dispose();
            dispatchWithDefault(this, new SessionDisconnectedEvent(this, reason as ConnectionEventReason));
        }
    }

    /** Publishes a Publisher's media (waits for its camera/microphone first). */
    async publish(publisher: Publisher): Promise<void> {
        if (!this.sessionConnected()) throw this.notConnectedError();
        publisher.session = this;
        const stream = publisher.stream;
        if (stream.session !== this) {
            stream.session.removeStreamManager(publisher);
            stream.session = this;
        }
        this.addStreamManager(publisher);
        // Wait for initPublisher's device access (rejects as it did); media
        // released by an earlier unpublish is acquired again.
        await this.openvidu.publisherReady(publisher);
        const ms = stream.getMediaStreamIfAny();
        if (!ms || ms.getTracks().every((t) => t.readyState === 'ended')) await publisher.initialize();
        try {
            await stream.publish();
        } catch (e: any) {
            if (e instanceof OpenViduError) throw e;
            throw 'Error on publishVideo: ' + JSON.stringify({ code: e?.code, message: e?.message ?? String(e) });
        }
        if (!this.openvidu.publishers.includes(publisher)) this.openvidu.publishers.push(publisher);
        publisher.published();
        this.sendVideoData(publisher);
        this.stopVideoData();
        let n = 0;
        this.videoDataTimer = setInterval(() => {
            if (++n >= 4 || !stream.isLocalStreamPublished) this.stopVideoData();
            this.sendVideoData(publisher);
        }, 8000);
    }

    /** Stops publishing; the Publisher's streamDestroyed (reason 'unpublish') releases its media by default. */
    async unpublish(publisher: Publisher): Promise<void> {
        if (!this.sessionConnected()) throw this.notConnectedError();
        const stream = publisher.stream;
        if (!stream.isLocalStreamPublished) throw new Error('The Publisher is not published');
        await this.rpc.request('unpublishVideo', {});
        this.stopPublisher(stream, 'unpublish');
    }

    private stopPublisher(stream: Stream, reason: StreamEventReason): void {
        stream.disposePeer();
        stream.isLocalStreamPublished = false;
        this.stopVideoData();
        this.connection?.removeStream();
        const publisher = stream.streamManager as Publisher;
        publisher.stopScreenWatch();
        stream.updateSpeakingDetection();
        dispatchWithDefault(publisher, new StreamEvent(true, publisher, 'streamDestroyed', stream, reason));
    }

    subscribe(stream: Stream, targetElement: string | HTMLElement | undefined): Subscriber;
    subscribe(stream: Stream, targetElement: string | HTMLElement | undefined, properties: SubscriberProperties): Subscriber;
    subscribe(stream: Stream, targetElement: string | HTMLElement | undefined, completionHandler: (error: Error | undefined) => void): Subscriber;
    subscribe(
        stream: Stream,
        targetElement: string | HTMLElement | undefined,
        properties: SubscriberProperties,
        completionHandler: (error: Error | undefined) => void
    ): Subscriber;
    /** Receives a remote stream; the Subscriber shows it in a video created in targetElement. */
    subscribe(stream: Stream, targetElement: string | HTMLElement | undefined, param3?: any, param4?: any): Subscriber {
        const properties: SubscriberProperties = param3 && typeof param3 !== 'function' ? { ...param3 } : {};
        const done: ((e: Error | undefined) => void) | undefined = typeof param3 === 'function' ? param3 : param4;
        properties.subscribeToAudio ??= true;
        properties.subscribeToVideo ??= true;
        const subscriber = new Subscriber(stream, targetElement, properties);
        this.addStreamManager(subscriber);
        if (!this.sessionConnected()) {
            if (done) setTimeout(() => done(this.notConnectedError() as unknown as Error));
            return subscriber;
        }
        subscriber.start();
        stream
            .subscribe()
            .then(() => done?.(undefined))
            .catch((e) => {
                log.error(`subscribe to ${stream.streamId} failed`, e);
                done?.(e);
            });
        return subscriber;
    }

    /** Promise version of subscribe. */
    subscribeAsync(stream: Stream, targetElement: string | HTMLElement, properties?: SubscriberProperties): Promise<Subscriber> {
        return new Promise((resolve, reject) => {
            const subscriber: Subscriber = this.subscribe(stream, targetElement, properties ?? {}, (e) => (e ? reject(e) : resolve(subscriber)));
        });
    }

    /** Stops receiving a stream and removes its videos. */
    async unsubscribe(subscriber: Subscriber): Promise<void> {
        if (!this.sessionConnected()) throw this.notConnectedError();
        const stream = subscriber.stream;
        await this.rpc.request('unsubscribeFromVideo', { sender: stream.connection.connectionId });
        stream.disposePeer();
        stream.disposeMediaStream();
        subscriber.removeAllVideos();
    }

    /** Sends a signal to some connections (all of them, sender included, when `to` is empty). */
    async signal(signal: SignalOptions): Promise<void> {
        if (!this.sessionConnected()) throw this.notConnectedError();
        const to = (signal.to ?? []).map((c) => c.connectionId);
        const type = signal.type ? 'signal:' + signal.type : 'signal:signal';
        await this.rpc.request('sendMessage', { message: JSON.stringify({ to, data: signal.data ?? '', type }) });
    }

    /** Evicts a participant (MODERATOR). */
    async forceDisconnect(connection: Connection): Promise<void> {
        await this.request('forceDisconnect', { connectionId: connection.connectionId }, 'force a disconnection');
    }

    /** Stops a participant's stream (MODERATOR). */
    async forceUnpublish(stream: Stream): Promise<void> {
        await this.request('forceUnpublish', { streamId: stream.streamId }, 'force an unpublishing');
    }

    /** Speech to text is an OpenVidu Pro feature; the server refuses it. */
    async subscribeToSpeechToText(stream: Stream, lang: string): Promise<void> {
        await this.request('subscribeToSpeechToText', { connectionId: stream.connection.connectionId, lang }, 'subscribe to speech to text');
    }

    async unsubscribeFromSpeechToText(stream: Stream): Promise<void> {
        await this.request('unsubscribeFromSpeechToText', { connectionId: stream.connection.connectionId }, 'unsubscribe from speech to text');
    }

    /** @internal A request that needs a joined session; 401 becomes OPENVIDU_PERMISSION_DENIED. */
    async request(method: string, params: object, what: string): Promise<any> {
        if (!this.sessionConnected()) throw this.notConnectedError();
        try {
            return await this.rpc.request(method, params);
        } catch (e: any) {
            if (e?.code === 401) throw new OpenViduError(OpenViduErrorName.OPENVIDU_PERMISSION_DENIED, `You don't have permissions to ${what}`);
            throw e;
        }
    }

    /** @internal */
    sessionConnected(): boolean {
        return this.joined && !!this.rpc && this.rpc.isOpen;
    }

    /** @internal */
    notConnectedError(): OpenViduError {
        return new OpenViduError(OpenViduErrorName.OPENVIDU_NOT_CONNECTED, "There is no connection to the session. Method 'Session.connect' must be successfully completed first");
    }

    /** @internal */
    sendVideoData(publisher: Publisher): void {
        const s = publisher.stream;
        if (!this.sessionConnected() || !s.isLocalStreamPublished) return;
        const d = s.videoDimensions;
        this.rpc.request('videoData', { height: d.height, width: d.width, videoActive: s.videoActive, audioActive: s.audioActive }).catch(() => {});
    }

    private stopVideoData(): void {
        if (this.videoDataTimer) clearInterval(this.videoDataTimer);
        this.videoDataTimer = undefined;
    }

    /** @internal */
    emitException(name: ExceptionEventName, origin: Session | Stream | Subscriber, message: string, data?: any): void {
        log.warn(`exception ${name}: ${message}`);
        this.emitEvent('exception', new ExceptionEvent(this, name, origin, message, data));
    }

    /** @internal */
    addStreamManager(sm: StreamManager): void {
        if (!this.streamManagers.includes(sm)) this.streamManagers.push(sm);
    }

    /** @internal */
    removeStreamManager(sm: StreamManager): void {
        this.streamManagers = this.streamManagers.filter((x) => x !== sm);
    }

    /** @internal Default behaviour of sessionDisconnected: drop every remote connection and its media. */
    disposeRemoteConnections(): void {
        for (const c of this.remoteConnections.values()) {
            const s = c.stream;
            if (s) {
                s.disposePeer();
                s.disposeMediaStream();
                s.streamManager?.removeAllVideos();
                this.remoteStreamsCreated.delete(s.streamId);
            }
            c.dispose();
        }
        this.remoteConnections.clear();
    }

    // ---- notifications -------------------------------------------------

    private onNotification(method: string, p: Record<string, any>): void {
        if (!this.joined && method !== 'participantEvicted') {
            log.warn(`'${method}' before joinRoom completed: ignored`);
            return;
        }
        switch (method) {
            case 'participantJoined': {
                if (p.id === this.connection.connectionId) return;
                const c = this.addRemote(parseRemoteConnection(p));
                this.emitEvent('connectionCreated', new ConnectionEvent(false, this, 'connectionCreated', c, ''));
                return;
            }
            case 'participantLeft':
                return this.onParticipantLeft(p.connectionId, p.reason ?? '');
            case 'participantPublished': {
                if (p.id === this.connection.connectionId) return;
                const known = this.remoteConnections.has(p.id);
                const c = this.addRemote(parseRemoteConnection(p));
                if (!known) log.info(`participantPublished for unknown connection ${p.id}`);
                if (c.stream) this.announceStream(c.stream);
                return;
            }
            case 'participantUnpublished':
                return this.onParticipantUnpublished(p.connectionId, p.reason ?? '');
            case 'participantEvicted':
                if (this.joined && p.connectionId === this.connection.connectionId) this.leave(true, p.reason ?? '');
                return;
            case 'sendMessage':
                return this.onSignal(p);
            case 'iceCandidate': {
                const owner = p.senderConnectionId === this.connection.connectionId ? this.connection : this.remoteConnections.get(p.senderConnectionId);
                owner?.stream?.addRemoteCandidate({ candidate: p.candidate, sdpMid: p.sdpMid, sdpMLineIndex: p.sdpMLineIndex });
                return;
            }
            case 'streamPropertyChanged':
                return this.onStreamPropertyChanged(p);
            case 'connectionPropertyChanged':
                return this.onConnectionPropertyChanged(p);
            case 'networkQualityLevelChanged': {
                const c = p.connectionId === this.connection.connectionId ? this.connection : this.remoteConnections.get(p.connectionId);
                if (c) this.emitEvent('networkQualityLevelChanged', new NetworkQualityLevelChangedEvent(this, p.newValue, p.oldValue, c));
                return;
            }
            case 'recordingStarted':
            case 'recordingStopped':
                this.emitEvent(method, new RecordingEvent(this, method, p.id, p.name, p.reason));
                return;
            case 'broadcastStarted':
            case 'broadcastStopped':
                this.emitEvent(method);
                return;
            case 'filterEventDispatched': {
                const c = p.connectionId === this.connection.connectionId ? this.connection : this.remoteConnections.get(p.connectionId);
                const f = c?.stream?.filter;
                const h = f?.handlers.get(p.eventType);
                if (f && h) h(new FilterEvent(f, p.eventType, safeParse(p.data)));
                return;
            }
            case 'speechToTextMessage': {
                const c = this.remoteConnections.get(p.connectionId) ?? (p.connectionId === this.connection.connectionId ? this.connection : undefined);
                if (c) this.emitEvent('speechToTextMessage', new SpeechToTextEvent(this, c, p.text, String(p.reason).toLowerCase() as any, p.raw, p.lang));
                return;
            }
            case 'speechToTextDisconnected':
                this.emitException(ExceptionEventName.SPEECH_TO_TEXT_DISCONNECTED, this, p.message);
                return;
            case 'mediaError':
                log.error('media error from the server:', p.error);
                return;
            case 'masterNodeCrashedNotification':
                this.leave(true, 'nodeCrashed');
                return;
            default:
                log.info(`unhandled notification '${method}'`);
        }
    }

    private onParticipantLeft(connectionId: string, reason: ConnectionEventReason): void {
        const c = this.remoteConnections.get(connectionId);
        if (!c) return;
        if (c.stream) dispatchWithDefault(this, new StreamEvent(true, this, 'streamDestroyed', c.stream, reason));
        this.remoteConnections.delete(connectionId);
        this.emitEvent('connectionDestroyed', new ConnectionEvent(false, this, 'connectionDestroyed', c, reason));
        c.dispose();
    }

    private onParticipantUnpublished(connectionId: string, reason: StreamEventReason): void {
        if (connectionId === this.connection.connectionId) {
            const own = this.connection.stream;
            if (own?.isLocalStreamPublished) this.stopPublisher(own, reason);
            return;
        }
        const c = this.remoteConnections.get(connectionId);
        if (!c?.stream) return;
        const stream = c.stream;
        dispatchWithDefault(this, new StreamEvent(true, this, 'streamDestroyed', stream, reason));
        c.removeStream();
    }

    private onSignal(p: Record<string, any>): void {
        let from: Connection | undefined;
        if (p.from) {
            from = p.from === this.connection.connectionId ? this.connection : this.remoteConnections.get(p.from);
            if (!from) {
                log.warn(`signal from unknown connection ${p.from} dropped`);
                return;
            }
        }
        // The event's type is always 'signal:<name>', whether or not the
        // server kept the prefix (REST signals may arrive without it).
        const name = typeof p.type === 'string' ? p.type.replace(/^signal:/, '') : '';
        const type = name && name !== 'signal' ? 'signal:' + name : 'signal';
        this.emitEvent('signal', new SignalEvent(this, name ? 'signal:' + name : undefined, p.data, from));
        if (type !== 'signal') this.emitEvent(type, new SignalEvent(this, type, p.data, from));
    }

    private onStreamPropertyChanged(p: Record<string, any>): void {
        const own = p.connectionId === this.connection.connectionId;
        const c = own ? this.connection : this.remoteConnections.get(p.connectionId);
        const stream = c?.stream;
        if (!stream || stream.streamId !== p.streamId) return;
        const property = p.property;
        const newValue = decodePropertyValue(property, p.newValue) as any;
        let oldValue: any;
        switch (property) {
            case 'audioActive':
            case 'videoActive':
                oldValue = stream[property as 'audioActive'];
                stream[property as 'audioActive'] = newValue;
                stream.applyRemoteTrackState();
                break;
            case 'videoDimensions':
                oldValue = stream.videoDimensions;
                if (newValue) stream.videoDimensions = newValue;
                break;
            case 'filter':
                oldValue = stream.filter;
                if (newValue && Object.keys(newValue).length > 0) {
                    if (stream.filter) Object.assign(stream.filter, newValue);
                } else delete stream.filter;
                break;
            default:
                oldValue = undefined;
        }
        this.emitEvent('streamPropertyChanged', new StreamPropertyChangedEvent(this, stream, property, newValue, oldValue, p.reason));
        stream.streamManager?.emitEvent('streamPropertyChanged', new StreamPropertyChangedEvent(stream.streamManager, stream, property, newValue, oldValue, p.reason));
    }

    private onConnectionPropertyChanged(p: Record<string, any>): void {
        const c = this.connection;
        let oldValue: Object;
        let newValue: Object = p.newValue;
        if (p.property === 'role') {
            oldValue = c.role ?? '';
            c.role = String(newValue);
            this.capabilities = {
                subscribe: true,
                publish: c.role !== 'SUBSCRIBER',
                forceUnpublish: c.role === 'MODERATOR',
                forceDisconnect: c.role === 'MODERATOR'
            };
        } else if (p.property === 'record') {
            oldValue = c.record;
            newValue = newValue === true || newValue === 'true';
            c.record = newValue as boolean;
        } else return;
        this.emitEvent('connectionPropertyChanged', new ConnectionPropertyChangedEvent(this, c, p.property, newValue, oldValue));
    }

    // ---- socket loss ---------------------------------------------------

    /**
     * @internal Resolves true once the signaling is usable again after a
     * loss (at once when it is open), false when the session ends or
     * timeoutMs passes first. Requests that failed with the socket retry on it.
     */
    signalingRecovered(timeoutMs = 20000): Promise<boolean> {
        if (!this.joined || !this.rpc || this.rpc.isClosed) return Promise.resolve(false);
        if (this.rpc.isOpen && !this.signalingDown) return Promise.resolve(true);
        return new Promise((resolve) => {
            const done = (ok: boolean) => {
                clearTimeout(timer);
                this.recoveryWaiters = this.recoveryWaiters.filter((w) => w !== done);
                resolve(ok);
            };
            const timer = setTimeout(() => done(false), timeoutMs);
            this.recoveryWaiters.push(done);
        });
    }

    private settleRecovery(ok: boolean): void {
        for (const w of this.recoveryWaiters.slice()) w(ok);
    }

    private onConnectionLost(): void {
        if (!this.joined) return;
        this.signalingDown = true;
        log.warn('signaling connection lost: reconnecting');
        this.emitEvent('reconnecting');
    }

    private async onReopened(): Promise<void> {
        if (!this.joined) {
            this.rpc.close();
            return;
        }
        try {
            await this.rpc.request('connect', { sessionId: this.connection.rpcSessionId, reconnect: true });
        } catch (e) {
            log.warn('reconnection refused by the server', e);
            this.leave(true, 'networkDisconnect');
            this.rpc?.close(CloseCode.ReconnectionFault, 'Reconnection fault: ' + String((e as any)?.message ?? e));
            return;
        }
        this.rpc.startPings();
        log.info('signaling connection recovered');
        this.signalingDown = false;
        this.emitEvent('reconnected');
        const all = this.openvidu.advancedConfiguration.forceMediaReconnectionAfterNetworkDrop;
        for (const s of this.allStreams()) {
            if (s.peer && (all || s.iceBroken())) s.renegotiate('socket reconnected').catch((e) => log.warn(`could not reconnect ${s.streamId}`, e));
        }
        this.settleRecovery(true); // after the renegotiations: a retried request makes a new PeerConnection
    }
}

function safeParse(s: unknown): Object {
    if (typeof s !== 'string') return (s ?? {}) as Object;
    try {
        return JSON.parse(s);
    } catch {
        return s;
    }
}

// The call engine of the component: our SDK's OpenVidu, Session, Publisher
// and Subscribers turned into participants and tiles, with no DOM beyond the
// <video> elements it hands to the view. Like OpenVidu's components it uses
// two connections per person: the camera one, which subscribes to everyone,
// and a screen one, which only publishes the shared screen.

import { OpenVidu } from '../sdk/OpenVidu.js';
import type { Device } from '../sdk/OpenVidu.js';
import type { Publisher, PublisherProperties } from '../sdk/Publisher.js';
import type { Session } from '../sdk/Session.js';
import type { Connection } from '../sdk/Connection.js';
import type { Stream } from '../sdk/Stream.js';
import type { StreamManager } from '../sdk/StreamManager.js';
import type { Subscriber } from '../sdk/Subscriber.js';
import { cleanMessage, newParticipantId, parseChat, parseClientData } from './model.js';
import type { ChatMessage, VideoType } from './model.js';
import type { Tokens } from './options.js';

export interface Participant {
    id: string;
    nickname: string;
    local: boolean;
    role: string;
    connections: Set<string>;
    handRaised: boolean;
    speaking: boolean;
    /** Remote audio muted by us (participant panel / tile menu). */
    mutedLocally: boolean;
    joinedAt: number;
}

export interface Tile {
    /** 'local-camera', 'local-screen' or the remote stream id. */
    id: string;
    participant: Participant;
    type: VideoType;
    local: boolean;
    manager?: StreamManager;
    video: HTMLVideoElement;
    audioActive: boolean;
    videoActive: boolean;
}

/** Why media could not be opened, as the view explains it. */
export type MediaProblem = 'denied' | 'noDevices' | 'camInUse' | 'noCamera' | 'noMic' | 'insecure' | 'other';

export interface MediaState {
    publisher?: Publisher;
    problem?: MediaProblem;
    detail?: string;
}

export type Change =
    | 'state'
    | 'tiles'
    | 'participants'
    | 'media'
    | 'chat'
    | 'speaking'
    | 'devices'
    | 'recording'
    | 'reconnecting';

export type CallState = 'idle' | 'joining' | 'joined' | 'ended';

export interface CallOptions {
    resolution: string;
    frameRate: number;
    simulcast: boolean;
}

export interface Toast {
    key: 'joined' | 'left' | 'handRaised' | 'newMessage' | 'deviceLost' | 'errPublish' | 'errScreen' | 'errScreenDenied';
    vars?: Record<string, string>;
    action?: 'chat' | 'settings';
}

/** Thrown by join(); `kind` tells the view which message to show. */
export class JoinError extends Error {
    kind: 'token' | 'server' | 'other';
    constructor(kind: 'token' | 'server' | 'other', message: string) {
        super(message);
        this.kind = kind;
    }
}

export class Call {
    readonly ov = new OpenVidu();
    private ovScreen?: OpenVidu;
    session?: Session;
    private screenSession?: Session;
    screenPublisher?: Publisher;
    media: MediaState = {};
    devices: Device[] = [];
    selectedCamera = '';
    selectedMic = '';
    audioEnabled = true;
    videoEnabled = true;
    state: CallState = 'idle';
    endReason = '';
    reconnecting = false;
    recording = false;
    broadcasting = false;
    readonly participantId = newParticipantId();
    local: Participant;
    participants = new Map<string, Participant>();
    tiles = new Map<string, Tile>();
    messages: ChatMessage[] = [];
    activeSpeaker = '';
    private tokens?: Tokens;
    private listeners = new Set<(what: Change) => void>();
    private toastListeners = new Set<(t: Toast) => void>();
    private deviceWatch = () => void this.refreshDevices();

    constructor(private options: CallOptions) {
        this.ov.enableProdMode();
        this.local = { id: this.participantId, nickname: '', local: true, role: '', connections: new Set(), handRaised: false, speaking: false, mutedLocally: false, joinedAt: Date.now() };
        navigator.mediaDevices?.addEventListener?.('devicechange', this.deviceWatch);
    }

    onChange(fn: (what: Change) => void): () => void {
        this.listeners.add(fn);
        return () => this.listeners.delete(fn);
    }

    onToast(fn: (t: Toast) => void): void {
        this.toastListeners.add(fn);
    }

    private emit(what: Change): void {
        for (const fn of this.listeners) fn(what);
    }

    private toast(t: Toast): void {
        for (const fn of this.toastListeners) fn(t);
    }

    // ---- local media -------------------------------------------------------

    async refreshDevices(): Promise<void> {
        try {
            this.devices = await this.ov.getDevices();
        } catch {
            this.devices = [];
        }
        this.emit('devices');
    }

    cameras(): Device[] {
        return this.devices.filter((d) => d.kind === 'videoinput');
    }

    microphones(): Device[] {
        return this.devices.filter((d) => d.kind === 'audioinput');
    }

    /**
     * Opens the camera and microphone for the preview (and later the call):
     * what exists, falling back to one of them when the other is missing or
     * busy. Never throws: problems end up in `media.problem`.
     */
    async openMedia(): Promise<MediaState> {
        this.disposePublisher();
        if (!navigator.mediaDevices?.getUserMedia) {
            this.media = { problem: 'insecure' };
            this.emit('media');
            return this.media;
        }
        await this.refreshDevices();
        let wantVideo = this.cameras().length > 0;
        let wantAudio = this.microphones().length > 0;
        let problem: MediaProblem | undefined;
        if (!wantVideo && !wantAudio) {
            this.media = { problem: 'noDevices' };
            this.emit('media');
            return this.media;
        }
        for (let attempt = 0; attempt < 3; attempt++) {
            try {
                const publisher = await this.ov.initPublisherAsync(undefined, this.publisherProperties(wantAudio, wantVideo));
                this.media = { publisher, problem };
                this.watchTracks(publisher);
                break;
            } catch (e: any) {
                const name = String(e?.name ?? '');
                const detail = String(e?.message ?? e);
                if (name === 'DEVICE_ALREADY_IN_USE' && wantVideo && wantAudio) {
                    problem = 'camInUse';
                    wantVideo = false;
                } else if (name === 'INPUT_VIDEO_DEVICE_NOT_FOUND' && wantAudio && wantVideo) {
                    problem = 'noCamera';
                    wantVideo = false;
                } else if (name === 'INPUT_AUDIO_DEVICE_NOT_FOUND' && wantVideo && wantAudio) {
                    problem = 'noMic';
                    wantAudio = false;
                } else {
                    const p: MediaProblem =
                        name === 'DEVICE_ACCESS_DENIED'
                            ? 'denied'
                            : name === 'DEVICE_ALREADY_IN_USE'
                              ? 'camInUse'
                              : name === 'BROWSER_NOT_SUPPORTED'
                                ? 'insecure'
                                : name.startsWith('INPUT_') || name === 'NO_INPUT_SOURCE_SET'
                                  ? 'noDevices'
                                  : 'other';
                    this.media = { problem: p, detail };
                    break;
                }
            }
        }
        // Labels and ids are only complete once access was granted.
        await this.refreshDevices();
        this.syncSelectedDevices();
        this.emit('media');
        return this.media;
    }

    private publisherProperties(audio: boolean, video: boolean): PublisherProperties {
        return {
            audioSource: audio ? this.selectedMic || undefined : false,
            videoSource: video ? this.selectedCamera || undefined : false,
            publishAudio: this.audioEnabled,
            publishVideo: this.videoEnabled,
            resolution: this.options.resolution,
            frameRate: this.options.frameRate,
            videoSimulcast: this.options.simulcast,
            mirror: true
        };
    }

    private syncSelectedDevices(): void {
        const ms = this.media.publisher?.stream.getMediaStream();
        const v = ms?.getVideoTracks()[0]?.getSettings?.().deviceId;
        const a = ms?.getAudioTracks()[0]?.getSettings?.().deviceId;
        if (v) this.selectedCamera = v;
        if (a) this.selectedMic = a;
    }

    /** A device unplugged mid-call ends its track: say so and turn it off. */
    private watchTracks(publisher: Publisher): void {
        const ms = publisher.stream.getMediaStream();
        for (const track of ms?.getTracks() ?? []) {
            track.addEventListener('ended', () => {
                if (this.media.publisher !== publisher || !ms?.getTracks().includes(track)) return;
                const video = track.kind === 'video';
                if (video) {
                    this.videoEnabled = false;
                    void publisher.publishVideo(false).catch(() => {});
                } else {
                    this.audioEnabled = false;
                    publisher.publishAudio(false);
                }
                this.toast({ key: 'deviceLost', vars: { device: video ? 'camera' : 'microphone' }, action: 'settings' });
                void this.refreshDevices();
                this.updateLocalTile();
                this.emit('media');
            });
        }
    }

    hasAudio(): boolean {
        return !!this.media.publisher?.stream.getMediaStream()?.getAudioTracks().some((t) => t.readyState === 'live');
    }

    hasVideo(): boolean {
        return !!this.media.publisher?.stream.getMediaStream()?.getVideoTracks().some((t) => t.readyState === 'live');
    }

    setAudioEnabled(on: boolean): void {
        this.audioEnabled = on;
        this.media.publisher?.publishAudio(on);
        this.updateLocalTile();
        this.emit('media');
    }

    async setVideoEnabled(on: boolean): Promise<void> {
        this.videoEnabled = on;
        await this.media.publisher?.publishVideo(on).catch(() => {});
        this.updateLocalTile();
        this.emit('media');
    }

    /** Switches camera or microphone, in the preview or during the call, without renegotiating. */
    async switchDevice(kind: 'videoinput' | 'audioinput', deviceId: string): Promise<void> {
        const video = kind === 'videoinput';
        if (video) this.selectedCamera = deviceId;
        else this.selectedMic = deviceId;
        const publisher = this.media.publisher;
        const hasKind = publisher && (video ? this.hasVideoTrack(publisher) : this.hasAudioTrack(publisher));
        if (!publisher || !hasKind) {
            // Nothing of that kind yet (none at start, or it was denied): start over.
            if (this.state === 'joined') await this.republish();
            else await this.openMedia();
            return;
        }
        const ms = await this.ov.getUserMedia({
            audioSource: video ? false : deviceId,
            videoSource: video ? deviceId : false,
            resolution: this.options.resolution,
            frameRate: this.options.frameRate
        });
        const track = video ? ms.getVideoTracks()[0] : ms.getAudioTracks()[0];
        await publisher.replaceTrack(track);
        if (video && !this.videoEnabled) track.enabled = false;
        this.watchTracks(publisher);
        this.emit('media');
    }

    private hasVideoTrack(p: Publisher): boolean {
        return !!p.stream.getMediaStream()?.getVideoTracks().length;
    }

    private hasAudioTrack(p: Publisher): boolean {
        return !!p.stream.getMediaStream()?.getAudioTracks().length;
    }

    /** During the call: a new publisher with the chosen devices replaces the current one. */
    private async republish(): Promise<void> {
        const old = this.media.publisher;
        if (old && this.session && old.stream.isLocalStreamPublished) await this.session.unpublish(old).catch(() => {});
        await this.openMedia();
        await this.publishLocal();
    }

    private disposePublisher(): void {
        const p = this.media.publisher;
        if (!p) return;
        if (!p.stream.isLocalStreamPublished) p.stream.getMediaStream()?.getTracks().forEach((t) => t.stop());
        this.media = {};
    }

    // ---- joining -----------------------------------------------------------

    /** The Session of the camera connection (created on the tokens, before connecting). */
    prepareSession(): Session {
        if (!this.session || this.state === 'ended') {
            this.session = this.ov.initSession();
            this.wireSession(this.session);
        }
        return this.session;
    }

    async join(tokens: Tokens, nickname: string): Promise<void> {
        this.tokens = tokens;
        this.local.nickname = nickname;
        this.state = 'joining';
        this.endReason = '';
        this.emit('state');
        const session = this.prepareSession();
        try {
            await session.connect(tokens.webcam, { clientData: nickname, participantId: this.participantId, type: 'CAMERA' });
        } catch (e: any) {
            this.state = 'idle';
            this.session = undefined;
            this.emit('state');
            throw classifyJoinError(e);
        }
        this.local.role = session.connection.role ?? '';
        this.local.joinedAt = Date.now();
        this.local.connections = new Set([session.connection.connectionId]);
        this.participants.set(this.local.id, this.local);
        this.state = 'joined';
        this.addLocalTile();
        this.emit('state');
        this.emit('participants');
        await this.publishLocal();
    }

    private async publishLocal(): Promise<void> {
        const publisher = this.media.publisher;
        const session = this.session;
        if (!publisher || !session || !session.capabilities.publish) return;
        try {
            await session.publish(publisher);
        } catch (e: any) {
            this.toast({ key: 'errPublish', vars: { detail: String(e?.message ?? e) } });
        }
        this.addLocalTile();
    }

    private addLocalTile(): void {
        if (this.state !== 'joined') return;
        const existing = this.tiles.get('local-camera');
        const publisher = this.media.publisher;
        if (existing && existing.manager === publisher) {
            this.updateLocalTile();
            return;
        }
        const video = existing?.video ?? newVideo(true);
        if (publisher) publisher.addVideoElement(video);
        this.tiles.set('local-camera', {
            id: 'local-camera',
            participant: this.local,
            type: 'CAMERA',
            local: true,
            manager: publisher,
            video,
            audioActive: this.audioEnabled && this.hasAudio(),
            videoActive: this.videoEnabled && this.hasVideo()
        });
        this.emit('tiles');
    }

    private updateLocalTile(): void {
        const t = this.tiles.get('local-camera');
        if (!t) return;
        t.audioActive = this.audioEnabled && this.hasAudio();
        t.videoActive = this.videoEnabled && this.hasVideo();
        this.emit('tiles');
    }

    private wireSession(session: Session): void {
        session.on('connectionCreated', (e) => this.onConnectionCreated(e.connection));
        session.on('connectionDestroyed', (e) => this.onConnectionDestroyed(e.connection));
        session.on('streamCreated', (e) => this.onStreamCreated(session, e.stream));
        session.on('streamDestroyed', (e) => this.removeTile(e.stream.streamId));
        session.on('streamPropertyChanged', (e) => {
            const t = this.tiles.get(e.stream.streamId);
            if (!t) return;
            if (e.changedProperty === 'audioActive') t.audioActive = !!e.newValue;
            if (e.changedProperty === 'videoActive') t.videoActive = !!e.newValue;
            this.emit('tiles');
        });
        session.on('publisherStartSpeaking', (e) => this.setSpeaking(e.connection, true));
        session.on('publisherStopSpeaking', (e) => this.setSpeaking(e.connection, false));
        session.on('signal:chat', (e) => {
            const m = parseChat(e.data);
            if (!m || !e.from) return;
            const local = e.from.connectionId === session.connection?.connectionId;
            const p = this.participantOf(e.from);
            const msg: ChatMessage = { nickname: m.nickname || p?.nickname || '?', message: m.message, connectionId: e.from.connectionId, local, at: Date.now() };
            this.messages.push(msg);
            if (this.messages.length > 500) this.messages.shift();
            this.emit('chat');
            if (!local) this.toast({ key: 'newMessage', vars: { name: msg.nickname, text: msg.message }, action: 'chat' });
        });
        session.on('signal:handRaised', (e) => {
            const p = e.from && this.participantOf(e.from);
            if (!p || p.local) return;
            let raised = false;
            try {
                raised = !!JSON.parse(e.data ?? '{}').raised;
            } catch {
                raised = e.data === 'true';
            }
            if (raised && !p.handRaised) this.toast({ key: 'handRaised', vars: { name: p.nickname } });
            p.handRaised = raised;
            this.emit('participants');
        });
        session.on('signal:nicknameChanged', (e) => {
            const p = e.from && this.participantOf(e.from);
            if (!p || p.local) return;
            try {
                const name = String(JSON.parse(e.data ?? '{}').clientData ?? '').trim();
                if (name) p.nickname = name;
            } catch {
                return;
            }
            this.emit('participants');
            this.emit('tiles');
        });
        session.on('reconnecting', () => {
            this.reconnecting = true;
            this.emit('reconnecting');
        });
        session.on('reconnected', () => {
            this.reconnecting = false;
            this.emit('reconnecting');
        });
        session.on('recordingStarted', () => {
            this.recording = true;
            this.emit('recording');
        });
        session.on('recordingStopped', () => {
            this.recording = false;
            this.emit('recording');
        });
        session.on('broadcastStarted', () => {
            this.broadcasting = true;
            this.emit('recording');
        });
        session.on('broadcastStopped', () => {
            this.broadcasting = false;
            this.emit('recording');
        });
        session.on('connectionPropertyChanged', (e) => {
            if (e.changedProperty === 'role' && e.connection === session.connection) {
                this.local.role = String(e.newValue);
                this.emit('participants');
            }
        });
        session.on('sessionDisconnected', (e) => {
            if (this.session !== session) return;
            this.end(e.reason || 'disconnect');
        });
    }

    /** Our own screen connection is not a remote person: it is us. */
    private isOwn(c: Connection): boolean {
        if (c === this.session?.connection) return true;
        return parseClientData(c.data, c.connectionId).participantId === this.participantId;
    }

    private participantOf(c: Connection): Participant | undefined {
        if (this.isOwn(c)) return this.local;
        return this.participants.get(parseClientData(c.data, c.connectionId).participantId);
    }

    private onConnectionCreated(c: Connection): void {
        if (this.isOwn(c)) return;
        const meta = parseClientData(c.data, c.connectionId);
        let p = this.participants.get(meta.participantId);
        const isNew = !p;
        if (!p) {
            p = { id: meta.participantId, nickname: meta.nickname || 'Guest', local: false, role: '', connections: new Set(), handRaised: false, speaking: false, mutedLocally: false, joinedAt: Date.now() };
            this.participants.set(p.id, p);
        }
        if (meta.type === 'CAMERA' && meta.nickname) p.nickname = meta.nickname;
        p.connections.add(c.connectionId);
        if (isNew && this.state === 'joined' && Date.now() - this.local.joinedAt > 1500) this.toast({ key: 'joined', vars: { name: p.nickname } });
        // A newcomer learns our raised hand the way OpenVidu's components share nicknames.
        if (isNew && this.local.handRaised && this.session) {
            void this.session.signal({ type: 'handRaised', data: JSON.stringify({ raised: true }), to: [c] }).catch(() => {});
        }
        this.emit('participants');
    }

    private onConnectionDestroyed(c: Connection): void {
        for (const p of this.participants.values()) {
            if (p.local || !p.connections.delete(c.connectionId)) continue;
            if (p.connections.size === 0) {
                this.participants.delete(p.id);
                this.toast({ key: 'left', vars: { name: p.nickname } });
            }
        }
        for (const [id, t] of this.tiles) if (!t.local && t.manager?.stream.connection?.connectionId === c.connectionId) this.removeTile(id);
        this.emit('participants');
    }

    private onStreamCreated(session: Session, stream: Stream): void {
        if (this.isOwn(stream.connection)) return;
        this.onConnectionCreated(stream.connection);
        const p = this.participantOf(stream.connection);
        if (!p) return;
        const meta = parseClientData(stream.connection.data, stream.connection.connectionId);
        const type: VideoType = stream.typeOfVideo === 'SCREEN' || meta.type === 'SCREEN' ? 'SCREEN' : 'CAMERA';
        const video = newVideo(false);
        const tile: Tile = {
            id: stream.streamId,
            participant: p,
            type,
            local: false,
            video,
            audioActive: stream.hasAudio && stream.audioActive,
            videoActive: stream.hasVideo && stream.videoActive
        };
        this.tiles.set(stream.streamId, tile);
        this.subscribe(session, stream, tile, 0);
        this.emit('tiles');
    }

    /** Subscribes, and tries again a few times when the server did not answer (a busy server, a lost packet). */
    private subscribe(session: Session, stream: Stream, tile: Tile, attempt: number): void {
        const subscriber: Subscriber = session.subscribe(stream, undefined, {}, (err) => {
            if (!err || attempt >= 4) return;
            setTimeout(() => {
                if (this.session === session && this.tiles.get(tile.id) === tile && tile.manager === subscriber) this.subscribe(session, stream, tile, attempt + 1);
            }, 1000 * (attempt + 1));
        });
        subscriber.addVideoElement(tile.video);
        if (tile.participant.mutedLocally) subscriber.subscribeToAudio(false);
        tile.manager = subscriber;
    }

    private removeTile(id: string): void {
        const t = this.tiles.get(id);
        if (!t) return;
        t.video.srcObject = null;
        this.tiles.delete(id);
        if (this.activeSpeaker === id) this.activeSpeaker = '';
        this.emit('tiles');
    }

    private setSpeaking(c: Connection, speaking: boolean): void {
        const p = this.participantOf(c);
        if (!p) return;
        p.speaking = speaking;
        if (speaking) this.activeSpeaker = p.id;
        this.emit('speaking');
    }

    // ---- in the call -------------------------------------------------------

    async sendChat(text: string): Promise<void> {
        const message = cleanMessage(text);
        if (!message || !this.session) return;
        await this.session.signal({ type: 'chat', data: JSON.stringify({ message, nickname: this.local.nickname }) });
    }

    async setHandRaised(raised: boolean): Promise<void> {
        this.local.handRaised = raised;
        this.emit('participants');
        await this.session?.signal({ type: 'handRaised', data: JSON.stringify({ raised }) }).catch(() => {});
    }

    /** Mutes (for us only) a remote participant's audio. */
    setMutedLocally(p: Participant, muted: boolean): void {
        p.mutedLocally = muted;
        for (const t of this.tiles.values()) {
            if (t.participant === p && t.manager && !t.local) (t.manager as Subscriber).subscribeToAudio(!muted);
        }
        this.emit('participants');
        this.emit('tiles');
    }

    canShareScreen(): boolean {
        return !!this.tokens?.screen && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
    }

    isSharingScreen(): boolean {
        return !!this.screenPublisher?.stream.isLocalStreamPublished;
    }

    /** Shares the screen on the screen connection (connected on first use, then kept). */
    async startScreenShare(): Promise<void> {
        if (!this.tokens?.screen || this.isSharingScreen()) return;
        this.ovScreen ??= new OpenVidu();
        this.ovScreen.enableProdMode();
        let publisher: Publisher;
        try {
            publisher = await this.ovScreen.initPublisherAsync(undefined, { videoSource: 'screen', audioSource: false, publishAudio: false, mirror: false });
        } catch (e: any) {
            if (e?.name === 'SCREEN_CAPTURE_DENIED') this.toast({ key: 'errScreenDenied' });
            else this.toast({ key: 'errScreen', vars: { detail: String(e?.message ?? e) } });
            return;
        }
        try {
            if (!this.screenSession) {
                const s = this.ovScreen.initSession();
                await s.connect(this.tokens.screen, { clientData: this.local.nickname + '_SCREEN', participantId: this.participantId, type: 'SCREEN' });
                this.screenSession = s;
            }
            await this.screenSession.publish(publisher);
        } catch (e: any) {
            publisher.stream.getMediaStream()?.getTracks().forEach((t) => t.stop());
            this.toast({ key: 'errScreen', vars: { detail: String(e?.message ?? e) } });
            return;
        }
        this.screenPublisher = publisher;
        publisher.stream.getMediaStream()?.getVideoTracks()[0]?.addEventListener('ended', () => void this.stopScreenShare());
        const video = newVideo(true);
        publisher.addVideoElement(video);
        video.style.transform = '';
        this.tiles.set('local-screen', { id: 'local-screen', participant: this.local, type: 'SCREEN', local: true, manager: publisher, video, audioActive: false, videoActive: true });
        this.emit('tiles');
        this.emit('media');
    }

    async stopScreenShare(): Promise<void> {
        const publisher = this.screenPublisher;
        this.screenPublisher = undefined;
        this.removeTile('local-screen');
        if (publisher && this.screenSession && publisher.stream.isLocalStreamPublished) {
            await this.screenSession.unpublish(publisher).catch(() => {});
        }
        publisher?.stream.getMediaStream()?.getTracks().forEach((t) => t.stop());
        this.emit('media');
    }

    /** Leaves the call (both connections) and releases the devices. */
    leave(): void {
        if (this.state !== 'joined' && this.state !== 'joining') {
            this.disposePublisher();
            return;
        }
        this.end('disconnect');
    }

    private end(reason: string): void {
        const session = this.session;
        const screen = this.screenSession;
        // Forgotten first: the sessionDisconnected that disconnect() fires is then ours, not news.
        this.session = undefined;
        this.screenSession = undefined;
        this.state = 'ended';
        this.endReason = reason;
        this.reconnecting = false;
        this.recording = false;
        this.broadcasting = false;
        if (this.screenPublisher) void this.stopScreenShare();
        screen?.disconnect();
        session?.disconnect();
        this.media.publisher?.stream.getMediaStream()?.getTracks().forEach((t) => t.stop());
        this.media = {};
        for (const t of this.tiles.values()) t.video.srcObject = null;
        this.tiles.clear();
        this.participants.clear();
        this.local.handRaised = false;
        this.emit('tiles');
        this.emit('participants');
        this.emit('reconnecting');
        this.emit('state');
    }

    dispose(): void {
        this.leave();
        navigator.mediaDevices?.removeEventListener?.('devicechange', this.deviceWatch);
        this.listeners.clear();
        this.toastListeners.clear();
    }
}

function newVideo(local: boolean): HTMLVideoElement {
    const v = document.createElement('video');
    v.autoplay = true;
    v.playsInline = true;
    if (local) v.muted = true;
    return v;
}

/** Sorts out why connect() failed: a bad token, an unreachable server, or else. */
export function classifyJoinError(e: any): JoinError {
    const message = String(e?.message ?? e ?? 'unknown error');
    if (/token not valid/i.test(message) || e?.code === 401 || /token/i.test(message)) return new JoinError('token', message);
    if (/websocket|could not connect|cannot be reached|connection|closed|timed? ?out/i.test(message) || e?.code === undefined) return new JoinError('server', message);
    return new JoinError('other', message);
}

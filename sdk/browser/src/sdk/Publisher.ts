import { TypeOfVideo, VideoInsertMode } from './enums.js';
import { OpenViduError, OpenViduErrorName } from './errors.js';
import { StreamEvent, StreamPropertyChangedEvent } from './events.js';
import type { PublisherEventMap } from './events.js';
import type { Filter } from './Filter.js';
import { log } from './log.js';
import { captureMedia, mediaError, planMedia } from './media.js';
import type { OpenVidu } from './OpenVidu.js';
import type { Session } from './Session.js';
import { Stream } from './Stream.js';
import { StreamManager } from './StreamManager.js';

export interface PublisherProperties {
    /** Microphone device id, a MediaStreamTrack, `false` for none, or 'screen' (with videoSource 'screen'). */
    audioSource?: string | MediaStreamTrack | boolean;
    frameRate?: number;
    insertMode?: VideoInsertMode | string;
    mirror?: boolean;
    publishAudio?: boolean;
    publishVideo?: boolean;
    /** 'WIDTHxHEIGHT', default '640x480'. */
    resolution?: string;
    /** Camera device id, a MediaStreamTrack, `false` for none, or 'screen' for screen sharing. */
    videoSource?: string | MediaStreamTrack | boolean;
    videoSimulcast?: boolean;
    filter?: Filter;
}

/** The local media of this browser; publish it with Session.publish. */
export class Publisher extends StreamManager {
    accessAllowed = false;
    isSubscribedToRemote = false;
    session!: Session;
    openvidu: OpenVidu;
    /** @internal */
    properties: PublisherProperties;
    private accessDenied = false;
    private accessError: unknown;
    private screenResizeTimer: ReturnType<typeof setInterval> | undefined;

    /** @internal */
    constructor(target: string | HTMLElement | undefined, properties: PublisherProperties, openvidu: OpenVidu) {
        const session = openvidu.session ?? openvidu.placeholderSession();
        super(new Stream(session, { publisherProperties: properties }), target);
        this.openvidu = openvidu;
        this.session = session;
        this.properties = properties;
        if (typeof properties.insertMode === 'string') {
            this.insertMode = (VideoInsertMode as any)[properties.insertMode] ?? VideoInsertMode.APPEND;
        }
    }

    override on<K extends keyof PublisherEventMap>(type: K, handler: (event: PublisherEventMap[K]) => void): this {
        return this.addHandler(type, handler, false);
    }

    override once<K extends keyof PublisherEventMap>(type: K, handler: (event: PublisherEventMap[K]) => void): this {
        return this.addHandler(type, handler, true);
    }

    override off<K extends keyof PublisherEventMap>(type: K, handler?: (event: PublisherEventMap[K]) => void): this {
        return this.removeHandler(type, handler);
    }

    /** Late listeners still hear about what already happened. */
    protected override listenerAdded(type: string, once: boolean): void {
        super.listenerAdded(type, once);
        if (type === 'streamCreated' && this.stream.isLocalStreamPublished) {
            this.emitEvent('streamCreated', new StreamEvent(false, this, 'streamCreated', this.stream, ''));
        } else if (type === 'accessAllowed' && this.accessAllowed) {
            this.emitEvent('accessAllowed');
        } else if (type === 'accessDenied' && this.accessDenied) {
            this.emitEvent('accessDenied', this.accessError);
        }
    }

    protected override isMirrored(): boolean {
        return this.properties.mirror !== false && this.stream.typeOfVideo === TypeOfVideo.CAMERA;
    }

    /** Mutes or unmutes the microphone for everybody. */
    publishAudio(enabled: boolean): void {
        if (this.stream.audioActive === enabled) return;
        const ms = this.stream.getMediaStreamIfAny();
        ms?.getAudioTracks().forEach((t) => (t.enabled = enabled));
        this.changeActive('audioActive', enabled, 'publishAudio');
    }

    /**
     * Turns the camera image on or off for everybody. With `publishVideo(false, true)`
     * the camera is released too (its light goes off) and acquired again on
     * `publishVideo(true)`; `publishVideo(true, track)` resumes with the given track.
     */
    async publishVideo<T extends boolean>(enabled: T, resource?: T extends false ? boolean : MediaStreamTrack): Promise<void> {
        if (this.stream.videoActive === enabled) return;
        const ms = this.stream.getMediaStreamIfAny();
        if (enabled) {
            let track: MediaStreamTrack | undefined = typeof MediaStreamTrack !== 'undefined' && resource instanceof MediaStreamTrack ? resource : undefined;
            const current = ms?.getVideoTracks()[0];
            if (!track && current && current.readyState === 'ended') {
                const constraints = this.stream.lastVideoTrackConstraints ?? true;
                try {
                    const fresh = await navigator.mediaDevices.getUserMedia({ audio: false, video: constraints });
                    track = fresh.getVideoTracks()[0];
                } catch (e) {
                    throw mediaError(e, { screen: false, kind: 'video' });
                }
            }
            if (track) {
                track.enabled = true;
                await this.swapTrack(track);
            }
            this.stream.getMediaStreamIfAny()?.getVideoTracks().forEach((t) => (t.enabled = true));
        } else {
            ms?.getVideoTracks().forEach((t) => {
                t.enabled = false;
                if (resource === true) t.stop();
            });
        }
        this.changeActive('videoActive', enabled, 'publishVideo');
    }

    /** Loopback of one's own stream through the server is not supported by govidu; kept for API compatibility. */
    subscribeToRemote(value?: boolean): void {
        this.isSubscribedToRemote = value !== false;
        if (this.isSubscribedToRemote) log.warn('Publisher.subscribeToRemote is not supported: the local media is shown');
    }

    /** Replaces the audio or video track being published (device switch) without renegotiating. */
    async replaceTrack(track: MediaStreamTrack): Promise<void> {
        const kind = track.kind as 'audio' | 'video';
        track.enabled = kind === 'video' ? this.stream.videoActive : this.stream.audioActive;
        const old = this.stream.getMediaStreamIfAny()?.[kind === 'video' ? 'getVideoTracks' : 'getAudioTracks']()[0];
        await this.swapTrack(track);
        if (old && old !== track) old.stop();
        if (this.stream.isLocalStreamPublished) {
            const property = kind === 'video' ? 'videoTrack' : 'audioTrack';
            const oldLabel = { label: old?.label ?? '' };
            const newLabel = { label: track.label };
            this.session
                .request('streamPropertyChanged', { streamId: this.stream.streamId, property, newValue: newLabel, reason: 'trackReplaced' }, 'replace a track')
                .then(() => this.emitPropertyChange(property, newLabel, oldLabel, 'trackReplaced'))
                .catch((e) => log.warn('streamPropertyChanged (trackReplaced) failed', e));
            if (kind === 'video') void this.refreshDimensions('trackReplaced');
        }
    }

    /** @internal Acquires the media; resolves when the stream is ready to publish. */
    async initialize(): Promise<void> {
        try {
            const plan = planMedia(this.properties);
            if (plan.constraints.video) this.stream.lastVideoTrackConstraints = plan.constraints.video;
            // A permission prompt that stays open: accessDialogOpened after 2 s, then accessDialogClosed.
            let prompting = false;
            const dialogTimer = setTimeout(() => {
                prompting = true;
                this.emitEvent('accessDialogOpened');
            }, 2000);
            let ms: MediaStream;
            try {
                ms = await captureMedia(plan);
            } finally {
                clearTimeout(dialogTimer);
                if (prompting) this.emitEvent('accessDialogClosed');
            }
            const audio = ms.getAudioTracks()[0];
            const video = ms.getVideoTracks()[0];
            if (this.stream.hasAudio && !audio) {
                // Screen capture without audio: publish video only.
                this.stream.hasAudio = false;
                this.stream.audioActive = false;
            }
            if (audio) audio.enabled = this.stream.audioActive;
            if (video) {
                video.enabled = this.stream.videoActive;
                if (!video.contentHint) video.contentHint = this.stream.typeOfVideo === TypeOfVideo.SCREEN ? 'detail' : 'motion';
            }
            this.accessAllowed = true;
            this.accessDenied = false;
            this.stream.setMediaStream(ms);
            if (video) {
                this.stream.videoDimensions = await this.getVideoDimensions();
                if (this.stream.typeOfVideo === TypeOfVideo.SCREEN) this.watchScreenSize();
            }
            this.stream.isLocalStreamReadyToPublish = true;
            this.createInitialVideo();
        } catch (e) {
            this.accessAllowed = false;
            this.accessDenied = true;
            this.accessError = e;
            const err = e instanceof OpenViduError ? e : new OpenViduError(OpenViduErrorName.GENERIC_ERROR, String(e));
            log.error(`Publisher initialization failed. ${err.name}: ${err.message}`);
            throw err;
        }
    }

    /** @internal Width and height of the video being captured. */
    async getVideoDimensions(): Promise<{ width: number; height: number }> {
        const track = this.stream.getMediaStreamIfAny()?.getVideoTracks()[0];
        const s = track?.getSettings?.() ?? {};
        if (s.width && s.height) return { width: s.width, height: s.height };
        // Fall back to what a video element decodes.
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = this.stream.getMediaStreamIfAny() ?? null;
        await new Promise<void>((resolve) => {
            const done = () => resolve();
            video.addEventListener('loadedmetadata', done, { once: true });
            setTimeout(done, 3000);
            void video.play().catch(() => {});
        });
        const d = { width: video.videoWidth, height: video.videoHeight };
        video.srcObject = null;
        return d;
    }

    /** @internal Marks the publisher published (streamCreated on it). */
    published(): void {
        this.emitEvent('streamCreated', new StreamEvent(false, this, 'streamCreated', this.stream, ''));
    }

    /** @internal */
    stopScreenWatch(): void {
        if (this.screenResizeTimer) clearInterval(this.screenResizeTimer);
        this.screenResizeTimer = undefined;
    }

    private async swapTrack(track: MediaStreamTrack): Promise<void> {
        const ms = this.stream.getMediaStreamIfAny();
        if (this.stream.isLocalStreamPublished && this.stream.peer) await this.stream.peer.replaceTrack(track);
        if (!ms) return;
        for (const t of track.kind === 'video' ? ms.getVideoTracks() : ms.getAudioTracks()) if (t !== track) ms.removeTrack(t);
        if (!ms.getTracks().includes(track)) ms.addTrack(track);
        this.updateMediaStream(ms);
        this.stream.updateSpeakingDetection();
    }

    private changeActive(property: 'audioActive' | 'videoActive', enabled: boolean, reason: 'publishAudio' | 'publishVideo'): void {
        const old = this.stream[property];
        this.stream[property] = enabled;
        if (!this.stream.isLocalStreamPublished) return;
        this.session
            .request('streamPropertyChanged', { streamId: this.stream.streamId, property, newValue: enabled, reason }, 'change a stream property')
            .then(() => {
                this.emitPropertyChange(property, enabled, old, reason);
                this.session.sendVideoData(this);
            })
            .catch((e) => log.warn(`streamPropertyChanged (${property}) failed`, e));
    }

    /** @internal */
    emitPropertyChange(property: any, newValue: Object, oldValue: Object, reason: any): void {
        this.session.emitEvent('streamPropertyChanged', new StreamPropertyChangedEvent(this.session, this.stream, property, newValue, oldValue, reason));
        this.emitEvent('streamPropertyChanged', new StreamPropertyChangedEvent(this, this.stream, property, newValue, oldValue, reason));
    }

    /** Sends new dimensions when they changed (screen resized, track replaced). */
    private async refreshDimensions(reason: 'screenResized' | 'trackReplaced'): Promise<void> {
        const old = this.stream.videoDimensions;
        const now = await this.getVideoDimensions();
        if (!now.width || !now.height || (now.width === old.width && now.height === old.height)) return;
        this.stream.videoDimensions = now;
        if (!this.stream.isLocalStreamPublished) return;
        await this.session
            .request('streamPropertyChanged', { streamId: this.stream.streamId, property: 'videoDimensions', newValue: JSON.stringify(now), reason }, 'change dimensions')
            .then(() => this.emitPropertyChange('videoDimensions', now, old, reason))
            .catch((e) => log.warn('streamPropertyChanged (videoDimensions) failed', e));
    }

    private watchScreenSize(): void {
        this.stopScreenWatch();
        let busy = false;
        this.screenResizeTimer = setInterval(() => {
            const track = this.stream.getMediaStreamIfAny()?.getVideoTracks()[0];
            const s = track?.getSettings?.();
            if (busy || !s?.width || !s?.height || !this.stream.isLocalStreamPublished) return;
            const d = this.stream.videoDimensions;
            if (s.width === d.width && s.height === d.height) return;
            busy = true;
            void this.refreshDimensions('screenResized').finally(() => (busy = false));
        }, 650);
    }
}

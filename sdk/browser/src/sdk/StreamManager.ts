import { VideoInsertMode } from './enums.js';
import { EventDispatcher } from './emitter.js';
import { StreamManagerEvent, VideoElementEvent } from './events.js';
import type { StreamManagerEventMap } from './events.js';
import { log } from './log.js';
import type { Stream } from './Stream.js';

/** A video element showing a StreamManager's media. */
export interface StreamManagerVideo {
    video: HTMLVideoElement;
    id: string;
    /** Set when the SDK created the element (and so removes it). */
    targetElement?: HTMLElement;
    insertMode?: VideoInsertMode;
    canplayListenerAdded: boolean;
}

let videoCounter = 0;

/** @internal Resolves a target given by element or id. */
export function resolveElement(target: string | HTMLElement | undefined): HTMLElement | undefined {
    if (!target) return undefined;
    if (typeof target === 'string') {
        const el = document.getElementById(target);
        if (!el) throw new Error(`The provided targetElement '${target}' does not exist`);
        return el;
    }
    return target;
}

/**
 * Base of Publisher and Subscriber: owns the video elements that show one
 * Stream and the events about playing them.
 */
export abstract class StreamManager extends EventDispatcher {
    stream: Stream;
    videos: StreamManagerVideo[] = [];
    remote: boolean;
    targetElement: HTMLElement | undefined;
    id = '';
    /** @internal */
    protected insertMode: VideoInsertMode = VideoInsertMode.APPEND;
    /** @internal videoElementCreated events nobody listened to yet (fired on the first listener). */
    private unseenCreated: VideoElementEvent[] = [];
    /** @internal */
    private playing = false;
    /** @internal */
    private playingTimer: ReturnType<typeof setTimeout> | undefined;

    /** @internal */
    constructor(stream: Stream, targetElement?: string | HTMLElement) {
        super();
        this.stream = stream;
        this.stream.streamManager = this;
        this.remote = !stream.isLocal();
        this.targetElement = resolveElement(targetElement);
    }

    on<K extends keyof StreamManagerEventMap>(type: K, handler: (event: StreamManagerEventMap[K]) => void): this {
        return this.addHandler(type, handler, false);
    }

    once<K extends keyof StreamManagerEventMap>(type: K, handler: (event: StreamManagerEventMap[K]) => void): this {
        return this.addHandler(type, handler, true);
    }

    off<K extends keyof StreamManagerEventMap>(type: K, handler?: (event: StreamManagerEventMap[K]) => void): this {
        return this.removeHandler(type, handler);
    }

    /** @internal */
    protected override listenerAdded(type: string, _once: boolean): void {
        if (type === 'videoElementCreated' && this.unseenCreated.length > 0) {
            const pending = this.unseenCreated;
            this.unseenCreated = [];
            for (const ev of pending) this.emitEvent('videoElementCreated', ev);
        }
        if (type === 'streamPlaying' && this.playing) {
            this.emitEvent('streamPlaying', new StreamManagerEvent(this, 'streamPlaying', undefined));
        }
        if (type === 'publisherStartSpeaking' || type === 'publisherStopSpeaking' || type === 'streamAudioVolumeChange') {
            this.stream.updateSpeakingDetection();
        }
    }

    /** @internal */
    protected override listenerRemoved(type: string): void {
        if (type === 'publisherStartSpeaking' || type === 'publisherStopSpeaking' || type === 'streamAudioVolumeChange') {
            this.stream.updateSpeakingDetection();
        }
    }

    /**
     * Shows the stream in an existing video element. Returns 1 when the
     * element was free, 0 when it was taken from another StreamManager and -1
     * when it already showed this one.
     */
    addVideoElement(video: HTMLVideoElement): number {
        this.initializeVideoProperties(video);
        if (this.videos.some((v) => v.video === video)) {
            this.attachMedia(video);
            return -1;
        }
        let result = 1;
        for (const other of this.stream.session.streamManagers) {
            if (other !== this && other.disassociateVideo(video)) result = 0;
        }
        this.videos.push({ video, id: video.id, canplayListenerAdded: false });
        this.attachMedia(video);
        this.watchPlaying(this.videos[this.videos.length - 1]);
        this.stream.session.addStreamManager(this);
        return result;
    }

    /** Creates a video element showing the stream and inserts it relative to targetElement. */
    createVideoElement(targetElement?: string | HTMLElement, insertMode?: VideoInsertMode): HTMLVideoElement {
        const target = resolveElement(targetElement);
        if (!target) throw new Error('createVideoElement: targetElement is required');
        const mode = insertMode ?? VideoInsertMode.APPEND;
        const video = this.createVideo();
        this.initializeVideoProperties(video);
        insertElement(video, target, mode);
        if (!this.id) this.id = video.id;
        const smv: StreamManagerVideo = { video, id: video.id, targetElement: target, insertMode: mode, canplayListenerAdded: false };
        this.videos.push(smv);
        this.attachMedia(video);
        this.watchPlaying(smv);
        this.stream.session.addStreamManager(this);
        this.announceVideo(video);
        return video;
    }

    /** Sets the interval (ms) and threshold (dB) of this stream's speaking detection. */
    updatePublisherSpeakingEventsOptions(options: { interval?: number; threshold?: number }): void {
        this.stream.setSpeakingOptions(options);
    }

    /** @internal */
    initializeVideoProperties(video: HTMLVideoElement): void {
        video.autoplay = true;
        video.playsInline = true;
        video.controls = false;
        if (!this.remote) {
            video.muted = true;
            video.defaultMuted = true;
        }
        if (!video.id) video.id = (this.remote ? 'remote-' : 'local-') + 'video-' + (this.stream.streamId || 'pending') + '-' + videoCounter++;
        if (!this.remote && this.isMirrored()) video.style.transform = 'rotateY(180deg)';
        else if (video.style.transform === 'rotateY(180deg)') video.style.transform = '';
    }

    /** @internal Whether local videos are mirrored (camera publishers, `mirror` not false). */
    protected isMirrored(): boolean {
        return false;
    }

    /** @internal Removes the SDK-created video elements from the page and detaches the others. */
    removeAllVideos(): void {
        for (const v of this.videos.slice()) this.removeVideo(v);
        this.videos = [];
        this.playing = false;
        this.clearPlayingTimer();
        this.stream.session.removeStreamManager(this);
    }

    /** @internal Detaches a video element from this StreamManager (it stays in the page). */
    disassociateVideo(video: HTMLVideoElement): boolean {
        const i = this.videos.findIndex((v) => v.video === video);
        if (i < 0) return false;
        this.videos.splice(i, 1);
        return true;
    }

    /** @internal Points every video at the stream's current MediaStream. */
    updateMediaStream(mediaStream: MediaStream | undefined): void {
        for (const v of this.videos) this.attachMedia(v.video, mediaStream);
    }

    /** @internal Creates the video of a target element given at construction. */
    protected createInitialVideo(): void {
        if (this.targetElement && this.videos.every((v) => v.targetElement !== this.targetElement)) {
            this.createVideoElement(this.targetElement, this.insertMode);
        }
    }

    /** @internal */
    protected createVideo(): HTMLVideoElement {
        return document.createElement('video');
    }

    private announceVideo(video: HTMLVideoElement): void {
        const ev = new VideoElementEvent(video, this, 'videoElementCreated');
        if (this.ee.count('videoElementCreated') > 0) this.emitEvent('videoElementCreated', ev);
        else this.unseenCreated.push(ev);
    }

    private attachMedia(video: HTMLVideoElement, mediaStream = this.stream.getMediaStreamIfAny()): void {
        if (!mediaStream) return;
        if (video.srcObject !== mediaStream) video.srcObject = mediaStream;
        this.armPlayingTimer();
        if (video.paused) video.play().catch((e) => log.info('video.play() was refused:', String(e)));
    }

    private removeVideo(v: StreamManagerVideo): void {
        v.video.srcObject = null;
        if (v.targetElement && v.video.parentNode) v.video.parentNode.removeChild(v.video);
        this.emitEvent('videoElementDestroyed', new VideoElementEvent(v.video, this, 'videoElementDestroyed'));
    }

    /** streamPlaying fires once, when the first video can play; an exception if none does in time. */
    private watchPlaying(v: StreamManagerVideo): void {
        if (v.canplayListenerAdded) return;
        v.canplayListenerAdded = true;
        const onPlaying = () => {
            v.video.removeEventListener('playing', onPlaying);
            if (this.playing || !this.videos.includes(v)) return;
            this.playing = true;
            this.clearPlayingTimer();
            log.info(`streamPlaying: ${this.stream.streamId}`);
            this.emitEvent('streamPlaying', new StreamManagerEvent(this, 'streamPlaying', undefined));
        };
        v.video.addEventListener('playing', onPlaying);
    }

    /** Remote media that does not start playing in time is reported as an exception. */
    private armPlayingTimer(): void {
        if (this.playing || !this.remote || this.playingTimer) return;
        const timeout = this.stream.session.openvidu.advancedConfiguration.noStreamPlayingEventExceptionTimeout ?? 4000;
        this.playingTimer = setTimeout(() => {
            this.playingTimer = undefined;
            if (!this.playing && this.videos.length > 0) this.stream.noStreamPlaying(timeout);
        }, timeout);
    }

    /** @internal */
    resetPlaying(): void {
        this.playing = false;
        for (const v of this.videos) {
            v.canplayListenerAdded = false;
            this.watchPlaying(v);
        }
    }

    private clearPlayingTimer(): void {
        if (this.playingTimer) clearTimeout(this.playingTimer);
        this.playingTimer = undefined;
    }
}

function insertElement(video: HTMLVideoElement, target: HTMLElement, mode: VideoInsertMode): void {
    switch (mode) {
        case VideoInsertMode.AFTER:
            target.parentNode?.insertBefore(video, target.nextSibling);
            break;
        case VideoInsertMode.BEFORE:
            target.parentNode?.insertBefore(video, target);
            break;
        case VideoInsertMode.PREPEND:
            target.insertBefore(video, target.firstChild);
            break;
        case VideoInsertMode.REPLACE:
            target.parentNode?.replaceChild(video, target);
            break;
        default:
            target.appendChild(video);
    }
}

import { VideoInsertMode } from './enums.js';
import type { Stream } from './Stream.js';
import { StreamManager } from './StreamManager.js';

export interface SubscriberProperties {
    insertMode?: VideoInsertMode | string;
    subscribeToAudio?: boolean;
    subscribeToVideo?: boolean;
}

/** A remote Stream received by this browser (Session.subscribe). */
export class Subscriber extends StreamManager {
    properties: SubscriberProperties;

    /** @internal */
    constructor(stream: Stream, target: string | HTMLElement | undefined, properties: SubscriberProperties) {
        super(stream, target);
        this.properties = properties;
        if (properties.insertMode !== undefined) {
            this.insertMode = (VideoInsertMode as any)[properties.insertMode as string] ?? VideoInsertMode.APPEND;
        }
    }

    /** Stops or resumes playing the remote audio (locally only). */
    subscribeToAudio(value: boolean): Subscriber {
        this.properties.subscribeToAudio = value;
        this.stream.getMediaStreamIfAny()?.getAudioTracks().forEach((t) => (t.enabled = value));
        return this;
    }

    /** Stops or resumes showing the remote video (locally only). */
    subscribeToVideo(value: boolean): Subscriber {
        this.properties.subscribeToVideo = value;
        this.stream.getMediaStreamIfAny()?.getVideoTracks().forEach((t) => (t.enabled = value && this.stream.videoActive));
        return this;
    }

    /** @internal */
    start(): void {
        this.createInitialVideo();
    }
}

import { OpenViduError, OpenViduErrorName } from './errors.js';
import { LocalRecorder } from './LocalRecorder.js';
import { log } from './log.js';
import { captureMedia, planMedia } from './media.js';
import { SDK_VERSION } from './protocol.js';
import { Publisher } from './Publisher.js';
import type { PublisherProperties } from './Publisher.js';
import { Session } from './Session.js';
import type { SocketLike } from './signalclient.js';
import type { Stream } from './Stream.js';
import type { StreamManager } from './StreamManager.js';

export interface Device {
    kind: 'videoinput' | 'audioinput';
    deviceId: string;
    label: string;
}

export interface OpenViduAdvancedConfiguration {
    /** ICE servers for every PeerConnection (replaces the server's list). */
    iceServers?: RTCIceServer[] | string;
    rtcConfiguration?: RTCConfiguration;
    /** Unused: browsers share screens without extensions. */
    screenShareChromeExtension?: string;
    publisherSpeakingEventsOptions?: { interval?: number; threshold?: number };
    forceMediaReconnectionAfterNetworkDrop?: boolean;
    iceConnectionDisconnectedExceptionTimeout?: number;
    noStreamPlayingEventExceptionTimeout?: number;
}

/** Entry point of the SDK: sessions, publishers, devices. */
export class OpenVidu {
    session!: Session;
    publishers: Publisher[] = [];
    wsUri = '';
    httpUri = '';
    secret = '';
    recorder = false;
    stt = false;
    role = '';
    finalUserId = '';
    mediaServer = '';
    advancedConfiguration: OpenViduAdvancedConfiguration = {};
    libraryVersion = SDK_VERSION;
    /** @internal Tests replace the WebSocket. */
    socketFactory?: (url: string) => SocketLike;
    private ready = new WeakMap<Publisher, Promise<void>>();

    constructor() {
        log.info(`govidu browser SDK (openvidu-browser ${SDK_VERSION} API)`);
    }

    /** A new Session; connect it with a token. */
    initSession(): Session {
        this.session = new Session(this);
        return this.session;
    }

    initPublisher(targetElement: string | HTMLElement | undefined): Publisher;
    initPublisher(targetElement: string | HTMLElement | undefined, properties: PublisherProperties): Publisher;
    initPublisher(targetElement: string | HTMLElement | undefined, completionHandler: (error: Error | undefined) => void): Publisher;
    initPublisher(
        targetElement: string | HTMLElement | undefined,
        properties: PublisherProperties,
        completionHandler: (error: Error | undefined) => void
    ): Publisher;
    /**
     * A Publisher for the camera and microphone (or the screen, or given
     * tracks). The devices are opened at once; `accessAllowed` or
     * `accessDenied` (and the completion handler) tell how it went.
     */
    initPublisher(targetElement: string | HTMLElement | undefined, param2?: any, param3?: any): Publisher {
        const given: PublisherProperties = param2 && typeof param2 !== 'function' ? param2 : {};
        const done: ((e: Error | undefined) => void) | undefined = typeof param2 === 'function' ? param2 : param3;
        const isTrack = (v: unknown) => typeof MediaStreamTrack !== 'undefined' && v instanceof MediaStreamTrack;
        const properties: PublisherProperties = {
            audioSource: given.audioSource,
            videoSource: given.videoSource,
            frameRate: isTrack(given.videoSource) ? undefined : given.frameRate,
            insertMode: given.insertMode ?? 'APPEND',
            mirror: given.mirror ?? true,
            publishAudio: given.publishAudio ?? true,
            publishVideo: given.publishVideo ?? true,
            resolution: isTrack(given.videoSource) ? undefined : (given.resolution ?? '640x480'),
            videoSimulcast: given.videoSimulcast,
            filter: given.filter
        };
        const publisher = new Publisher(targetElement, properties, this);
        const init = publisher.initialize();
        this.ready.set(publisher, init);
        init.then(
            () => {
                done?.(undefined);
                publisher.emitEvent('accessAllowed');
            },
            (e) => {
                done?.(e);
                publisher.emitEvent('accessDenied', e);
            }
        );
        this.publishers.push(publisher);
        return publisher;
    }

    /** Promise version of initPublisher: resolves once the devices are open. */
    initPublisherAsync(targetElement: string | HTMLElement | undefined, properties?: PublisherProperties): Promise<Publisher> {
        return new Promise((resolve, reject) => {
            const publisher: Publisher = this.initPublisher(targetElement, properties ?? {}, (e) => (e ? reject(e) : resolve(publisher)));
        });
    }

    initLocalRecorder(stream: Stream): LocalRecorder {
        return new LocalRecorder(stream);
    }

    /** Whether this browser can use WebRTC (RTCPeerConnection and getUserMedia). */
    checkSystemRequirements(): boolean {
        return typeof RTCPeerConnection !== 'undefined' && typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
    }

    /** Whether this browser can share its screen (getDisplayMedia). */
    checkScreenSharingCapabilities(): boolean {
        return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
    }

    /** Cameras and microphones (labels are empty until the page got device access). */
    async getDevices(): Promise<Device[]> {
        if (typeof navigator === 'undefined' || !navigator.mediaDevices?.enumerateDevices) return [];
        const all = await navigator.mediaDevices.enumerateDevices();
        return all
            .filter((d) => d.kind === 'videoinput' || d.kind === 'audioinput')
            .map((d) => ({ kind: d.kind as 'videoinput' | 'audioinput', deviceId: d.deviceId, label: d.label }));
    }

    /** A MediaStream for the given properties, errors as OpenViduError (as initPublisher would raise them). */
    async getUserMedia(options: PublisherProperties): Promise<MediaStream> {
        const props: PublisherProperties = { resolution: '640x480', ...options };
        const ms = await captureMedia(planMedia(props));
        if (options.publishAudio === false) ms.getAudioTracks().forEach((t) => (t.enabled = false));
        if (options.publishVideo === false) ms.getVideoTracks().forEach((t) => (t.enabled = false));
        return ms;
    }

    /** Silences the SDK's informational console output. */
    enableProdMode(): void {
        log.setProd(true);
    }

    setAdvancedConfiguration(configuration: OpenViduAdvancedConfiguration): void {
        this.advancedConfiguration = configuration ?? {};
    }

    onOrientationChanged(handler: any): void {
        globalThis.addEventListener?.('orientationchange', handler);
    }

    /** @internal A session for publishers created before initSession (upstream does the same). */
    placeholderSession(): Session {
        return new Session(this);
    }

    /** @internal Resolves when initPublisher's device access finished. */
    async publisherReady(publisher: Publisher): Promise<void> {
        const p = this.ready.get(publisher);
        if (!p) throw new OpenViduError(OpenViduErrorName.GENERIC_ERROR, 'Publisher was not initialized');
        await p;
    }

    /** @internal */
    forgetPublisher(sm: StreamManager | Session): void {
        this.publishers = this.publishers.filter((p) => p !== sm);
    }
}

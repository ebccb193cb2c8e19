import type { Connection } from './Connection.js';
import type { Filter } from './Filter.js';
import type { Publisher } from './Publisher.js';
import type { Session } from './Session.js';
import type { Stream } from './Stream.js';
import type { StreamManager } from './StreamManager.js';
import type { Subscriber } from './Subscriber.js';
import type {
    ChangedPropertyType,
    ConnectionEventReason,
    RecordingEventReason,
    SpeechToTextEventReason,
    StreamEventReason,
    StreamPropertyChangedEventReason
} from './enums.js';

/** Base of every event. `preventDefault()` cancels the SDK's default behaviour of cancelable events. */
export abstract class Event {
    cancelable: boolean;
    target: Session | StreamManager | Filter;
    type: string;
    hasBeenPrevented = false;

    constructor(cancelable: boolean, target: Session | StreamManager | Filter, type: string) {
        this.cancelable = cancelable;
        this.target = target;
        this.type = type;
    }

    isDefaultPrevented(): boolean {
        return this.hasBeenPrevented;
    }

    preventDefault(): void {
        this.hasBeenPrevented = true;
    }

    /** @internal Runs the default behaviour unless an app prevented it. */
    callDefaultBehavior(): void {}
}

/** @internal Fires the event on target, then its default behaviour unless prevented. */
export function dispatchWithDefault(target: { emitEvent(type: string, event?: unknown): void }, event: Event): void {
    target.emitEvent(event.type, event);
    if (!event.hasBeenPrevented) event.callDefaultBehavior();
}

export class ConnectionEvent extends Event {
    connection: Connection;
    reason: ConnectionEventReason;
    constructor(cancelable: boolean, target: Session, type: string, connection: Connection, reason: ConnectionEventReason) {
        super(cancelable, target, type);
        this.connection = connection;
        this.reason = reason;
    }
}

export class ConnectionPropertyChangedEvent extends Event {
    connection: Connection;
    changedProperty: string;
    newValue: Object;
    oldValue: Object;
    constructor(target: Session, connection: Connection, changedProperty: string, newValue: Object, oldValue: Object) {
        super(false, target, 'connectionPropertyChanged');
        this.connection = connection;
        this.changedProperty = changedProperty;
        this.newValue = newValue;
        this.oldValue = oldValue;
    }
}

export class SessionDisconnectedEvent extends Event {
    reason: ConnectionEventReason;
    constructor(target: Session, reason: ConnectionEventReason) {
        super(true, target, 'sessionDisconnected');
        this.reason = reason;
    }
    /** @internal Releases every remote stream and removes the videos the SDK created for them. */
    override callDefaultBehavior(): void {
        (this.target as Session).disposeRemoteConnections();
    }
}

export class StreamEvent extends Event {
    stream: Stream;
    reason: StreamEventReason;
    constructor(cancelable: boolean, target: Session | Publisher, type: string, stream: Stream, reason: StreamEventReason) {
        super(cancelable, target, type);
        this.stream = stream;
        this.reason = reason;
    }
    /** @internal streamDestroyed: release the stream's media and remove its video elements. */
    override callDefaultBehavior(): void {
        if (this.type === 'streamDestroyed') this.stream.destroyedDefault(this.target as Session | Publisher);
    }
}

export class StreamManagerEvent extends Event {
    value: Object | undefined;
    constructor(target: StreamManager, type: string, value: Object | undefined) {
        super(false, target, type);
        this.value = value;
    }
}

export class StreamPropertyChangedEvent extends Event {
    stream: Stream;
    changedProperty: ChangedPropertyType;
    reason: StreamPropertyChangedEventReason;
    newValue: Object;
    oldValue: Object;
    constructor(
        target: Session | StreamManager,
        stream: Stream,
        changedProperty: ChangedPropertyType,
        newValue: Object,
        oldValue: Object,
        reason: StreamPropertyChangedEventReason
    ) {
        super(false, target, 'streamPropertyChanged');
        this.stream = stream;
        this.changedProperty = changedProperty;
        this.newValue = newValue;
        this.oldValue = oldValue;
        this.reason = reason;
    }
}

export class SignalEvent extends Event {
    declare type: string;
    data?: string;
    from?: Connection;
    constructor(target: Session, type?: string, data?: string, from?: Connection) {
        super(false, target, 'signal');
        if (type) this.type = type;
        this.data = data;
        this.from = from;
    }
}

export class PublisherSpeakingEvent extends Event {
    connection: Connection;
    streamId: string;
    constructor(target: Session | StreamManager, type: string, connection: Connection, streamId: string) {
        super(false, target, type);
        this.connection = connection;
        this.streamId = streamId;
    }
}

export class RecordingEvent extends Event {
    id: string;
    name?: string;
    reason?: RecordingEventReason;
    constructor(target: Session, type: string, id: string, name: string, reason?: RecordingEventReason) {
        super(false, target, type);
        this.id = id;
        if (name !== id) this.name = name;
        this.reason = reason;
    }
}

export class NetworkQualityLevelChangedEvent extends Event {
    newValue: number;
    oldValue: number;
    connection: Connection;
    constructor(target: Session, newValue: number, oldValue: number, connection: Connection) {
        super(false, target, 'networkQualityLevelChanged');
        this.newValue = newValue;
        this.oldValue = oldValue;
        this.connection = connection;
    }
}

export class VideoElementEvent extends Event {
    element: HTMLVideoElement;
    constructor(element: HTMLVideoElement, target: StreamManager, type: string) {
        super(false, target, type);
        this.element = element;
    }
}

export class FilterEvent extends Event {
    data: Object;
    constructor(target: Filter, eventType: string, data: Object) {
        super(false, target, eventType);
        this.data = data;
    }
}

export class SpeechToTextEvent extends Event {
    connection: Connection;
    text: string;
    reason: SpeechToTextEventReason;
    raw: string;
    lang: string;
    constructor(target: Session, connection: Connection, text: string, reason: SpeechToTextEventReason, raw: string, lang: string) {
        super(false, target, 'speechToTextMessage');
        this.connection = connection;
        this.text = text;
        this.reason = reason;
        this.raw = raw;
        this.lang = lang;
    }
}

export enum ExceptionEventName {
    ICE_CANDIDATE_ERROR = 'ICE_CANDIDATE_ERROR',
    ICE_CONNECTION_FAILED = 'ICE_CONNECTION_FAILED',
    ICE_CONNECTION_DISCONNECTED = 'ICE_CONNECTION_DISCONNECTED',
    NO_STREAM_PLAYING_EVENT = 'NO_STREAM_PLAYING_EVENT',
    SPEECH_TO_TEXT_DISCONNECTED = 'SPEECH_TO_TEXT_DISCONNECTED'
}

export class ExceptionEvent extends Event {
    name: ExceptionEventName;
    origin: Session | Stream | Subscriber;
    message: string;
    data?: any;
    constructor(session: Session, name: ExceptionEventName, origin: Session | Stream | Subscriber, message: string, data?: any) {
        super(false, session, 'exception');
        this.name = name;
        this.origin = origin;
        this.message = message;
        this.data = data;
    }
}

export interface EventMap {}

export interface StreamManagerEventMap extends EventMap {
    videoElementCreated: VideoElementEvent;
    videoElementDestroyed: VideoElementEvent;
    streamPlaying: StreamManagerEvent;
    streamAudioVolumeChange: StreamManagerEvent;
    streamPropertyChanged: StreamPropertyChangedEvent;
    publisherStartSpeaking: PublisherSpeakingEvent;
    publisherStopSpeaking: PublisherSpeakingEvent;
}

export interface PublisherEventMap extends StreamManagerEventMap {
    streamCreated: StreamEvent;
    streamDestroyed: StreamEvent;
    accessAllowed: never;
    accessDenied: never;
    accessDialogOpened: never;
    accessDialogClosed: never;
}

export interface SessionEventMap extends EventMap {
    connectionCreated: ConnectionEvent;
    connectionDestroyed: ConnectionEvent;
    connectionPropertyChanged: ConnectionPropertyChangedEvent;
    sessionDisconnected: SessionDisconnectedEvent;
    streamCreated: StreamEvent;
    streamDestroyed: StreamEvent;
    streamPropertyChanged: StreamPropertyChangedEvent;
    publisherStartSpeaking: PublisherSpeakingEvent;
    publisherStopSpeaking: PublisherSpeakingEvent;
    [key: `signal:${string}`]: SignalEvent;
    signal: SignalEvent;
    recordingStarted: RecordingEvent;
    recordingStopped: RecordingEvent;
    broadcastStarted: never;
    broadcastStopped: never;
    networkQualityLevelChanged: NetworkQualityLevelChangedEvent;
    speechToTextMessage: SpeechToTextEvent;
    reconnecting: never;
    reconnected: never;
    exception: ExceptionEvent;
}

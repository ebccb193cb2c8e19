// The public API of the SDK, named as openvidu-browser 2.32 names it.

export { OpenVidu } from './OpenVidu.js';
export type { Device, OpenViduAdvancedConfiguration } from './OpenVidu.js';
export { Session } from './Session.js';
export type { Capabilities, SignalOptions } from './Session.js';
export { Publisher } from './Publisher.js';
export type { PublisherProperties } from './Publisher.js';
export { Subscriber } from './Subscriber.js';
export type { SubscriberProperties } from './Subscriber.js';
export { StreamManager } from './StreamManager.js';
export type { StreamManagerVideo } from './StreamManager.js';
export { Stream } from './Stream.js';
export { Connection } from './Connection.js';
export { LocalRecorder } from './LocalRecorder.js';
export { Filter } from './Filter.js';
export { EventDispatcher } from './emitter.js';
export { LocalRecorderState, TypeOfVideo, VideoInsertMode } from './enums.js';
export type {
    ChangedPropertyType,
    ConnectionEventReason,
    RecordingEventReason,
    SpeechToTextEventReason,
    StreamEventReason,
    StreamPropertyChangedEventReason
} from './enums.js';
export { OpenViduError, OpenViduErrorName } from './errors.js';
export {
    ConnectionEvent,
    ConnectionPropertyChangedEvent,
    Event,
    ExceptionEvent,
    ExceptionEventName,
    FilterEvent,
    NetworkQualityLevelChangedEvent,
    PublisherSpeakingEvent,
    RecordingEvent,
    SessionDisconnectedEvent,
    SignalEvent,
    SpeechToTextEvent,
    StreamEvent,
    StreamManagerEvent,
    StreamPropertyChangedEvent,
    VideoElementEvent
} from './events.js';
export type { EventMap, PublisherEventMap, SessionEventMap, StreamManagerEventMap } from './events.js';

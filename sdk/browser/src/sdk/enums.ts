export enum TypeOfVideo {
    CAMERA = 'CAMERA',
    SCREEN = 'SCREEN',
    CUSTOM = 'CUSTOM',
    IPCAM = 'IPCAM'
}

/** Where `createVideoElement` puts the new video relative to its target element. */
export enum VideoInsertMode {
    AFTER = 'AFTER',
    APPEND = 'APPEND',
    BEFORE = 'BEFORE',
    PREPEND = 'PREPEND',
    REPLACE = 'REPLACE'
}

export enum LocalRecorderState {
    READY = 'READY',
    RECORDING = 'RECORDING',
    PAUSED = 'PAUSED',
    FINISHED = 'FINISHED'
}

export type ChangedPropertyType = 'videoActive' | 'audioActive' | 'videoTrack' | 'audioTrack' | 'videoDimensions' | 'filter';
export type StreamPropertyChangedEventReason =
    | 'publishVideo'
    | 'publishAudio'
    | 'trackReplaced'
    | 'deviceRotated'
    | 'screenResized'
    | 'applyFilter'
    | 'execFilterMethod'
    | 'removeFilter';
export type ConnectionEventReason =
    | 'disconnect'
    | 'forceDisconnectByUser'
    | 'forceDisconnectByServer'
    | 'sessionClosedByServer'
    | 'networkDisconnect'
    | 'nodeCrashed'
    | '';
export type StreamEventReason = ConnectionEventReason | 'unpublish' | 'forceUnpublishByUser' | 'forceUnpublishByServer';
export type RecordingEventReason = 'recordingStoppedByServer' | 'sessionClosedByServer' | 'automaticStop' | 'nodeCrashed';
export type SpeechToTextEventReason = 'recognizing' | 'recognized';

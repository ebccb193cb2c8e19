/** Names of the errors the SDK raises; the values are upstream's, so apps can compare them. */
export enum OpenViduErrorName {
    BROWSER_NOT_SUPPORTED = 'BROWSER_NOT_SUPPORTED',
    DEVICE_ACCESS_DENIED = 'DEVICE_ACCESS_DENIED',
    DEVICE_ALREADY_IN_USE = 'DEVICE_ALREADY_IN_USE',
    SCREEN_CAPTURE_DENIED = 'SCREEN_CAPTURE_DENIED',
    SCREEN_SHARING_NOT_SUPPORTED = 'SCREEN_SHARING_NOT_SUPPORTED',
    SCREEN_EXTENSION_NOT_INSTALLED = 'SCREEN_EXTENSION_NOT_INSTALLED',
    SCREEN_EXTENSION_DISABLED = 'SCREEN_EXTENSION_DISABLED',
    INPUT_VIDEO_DEVICE_NOT_FOUND = 'INPUT_VIDEO_DEVICE_NOT_FOUND',
    INPUT_AUDIO_DEVICE_NOT_FOUND = 'INPUT_AUDIO_DEVICE_NOT_FOUND',
    INPUT_AUDIO_DEVICE_GENERIC_ERROR = 'INPUT_AUDIO_DEVICE_GENERIC_ERROR',
    NO_INPUT_SOURCE_SET = 'NO_INPUT_SOURCE_SET',
    PUBLISHER_PROPERTIES_ERROR = 'PUBLISHER_PROPERTIES_ERROR',
    OPENVIDU_PERMISSION_DENIED = 'OPENVIDU_PERMISSION_DENIED',
    OPENVIDU_NOT_CONNECTED = 'OPENVIDU_NOT_CONNECTED',
    VIRTUAL_BACKGROUND_ERROR = 'VIRTUAL_BACKGROUND_ERROR',
    GENERIC_ERROR = 'GENERIC_ERROR'
}

/**
 * An error of the SDK. Like upstream it is a plain object with `name` and
 * `message` (not an `Error` subclass), so `error.name === 'DEVICE_ACCESS_DENIED'`
 * works the same.
 */
export class OpenViduError {
    name: OpenViduErrorName;
    message: string;

    constructor(name: OpenViduErrorName, message: string) {
        this.name = name;
        this.message = message;
    }

    toString(): string {
        return this.name + ': ' + this.message;
    }
}

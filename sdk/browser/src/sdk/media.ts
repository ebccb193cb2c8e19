// From PublisherProperties to getUserMedia/getDisplayMedia, and from their
// DOMExceptions to OpenViduError names. Pure parts are unit-tested.

import { OpenViduError, OpenViduErrorName } from './errors.js';
import type { PublisherProperties } from './Publisher.js';

/** Parses 'WIDTHxHEIGHT'; undefined for anything else. */
export function parseResolution(resolution: string | undefined): { width: number; height: number } | undefined {
    const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(resolution ?? '');
    if (!m) return undefined;
    return { width: Number(m[1]), height: Number(m[2]) };
}

function isTrack(v: unknown): v is MediaStreamTrack {
    return typeof MediaStreamTrack !== 'undefined' && v instanceof MediaStreamTrack;
}

export interface MediaPlan {
    /** Capture the screen (getDisplayMedia) for video. */
    screen: boolean;
    /** With screen: also capture the screen's audio. */
    screenAudio: boolean;
    /** getUserMedia constraints for what is not a given track or the screen; false = nothing to ask. */
    constraints: { audio: boolean | MediaTrackConstraints; video: boolean | MediaTrackConstraints };
    audioTrack?: MediaStreamTrack;
    videoTrack?: MediaStreamTrack;
}

/** Decides what to capture for a Publisher. Throws OpenViduError on impossible properties. */
export function planMedia(p: PublisherProperties): MediaPlan {
    const audioSource = p.audioSource;
    const videoSource = p.videoSource;
    if (audioSource === false && videoSource === false) {
        throw new OpenViduError(OpenViduErrorName.NO_INPUT_SOURCE_SET, "Properties 'audioSource' and 'videoSource' cannot be set to false or null at the same time");
    }
    const plan: MediaPlan = { screen: false, screenAudio: false, constraints: { audio: false, video: false } };

    if (isTrack(videoSource)) plan.videoTrack = videoSource;
    else if (videoSource === 'screen' || videoSource === 'window') plan.screen = true;
    else if (videoSource !== false && videoSource !== null) {
        const v: MediaTrackConstraints = {};
        const res = parseResolution(p.resolution ?? '640x480');
        if (res) {
            v.width = { ideal: res.width };
            v.height = { ideal: res.height };
        }
        if (p.frameRate) v.frameRate = { ideal: p.frameRate };
        if (typeof videoSource === 'string' && videoSource) v.deviceId = { exact: videoSource };
        plan.constraints.video = v;
    }

    if (isTrack(audioSource)) plan.audioTrack = audioSource;
    else if (audioSource === 'screen') {
        if (!plan.screen) throw new OpenViduError(OpenViduErrorName.PUBLISHER_PROPERTIES_ERROR, "audioSource 'screen' needs videoSource 'screen'");
        plan.screenAudio = true;
    } else if (audioSource !== false && audioSource !== null) {
        plan.constraints.audio = typeof audioSource === 'string' && audioSource ? { deviceId: { exact: audioSource } } : true;
    }
    return plan;
}

/** Maps a getUserMedia/getDisplayMedia failure to upstream's error names. */
export function mediaError(error: any, opts: { screen: boolean; kind?: 'audio' | 'video' }): OpenViduError {
    const name = String(error?.name ?? '').toLowerCase();
    const text = error?.message ? `${error.name}: ${error.message}` : String(error);
    switch (name) {
        case 'notallowederror':
        case 'permissiondeniederror':
        case 'securityerror':
            return new OpenViduError(opts.screen ? OpenViduErrorName.SCREEN_CAPTURE_DENIED : OpenViduErrorName.DEVICE_ACCESS_DENIED, text);
        case 'notfounderror':
        case 'devicesnotfounderror':
            return new OpenViduError(
                opts.kind === 'audio' ? OpenViduErrorName.INPUT_AUDIO_DEVICE_NOT_FOUND : OpenViduErrorName.INPUT_VIDEO_DEVICE_NOT_FOUND,
                text
            );
        case 'overconstrainederror': {
            const c = String(error?.constraint ?? '').toLowerCase();
            if (c === 'deviceid') {
                return new OpenViduError(
                    opts.kind === 'audio' ? OpenViduErrorName.INPUT_AUDIO_DEVICE_NOT_FOUND : OpenViduErrorName.INPUT_VIDEO_DEVICE_NOT_FOUND,
                    `${opts.kind === 'audio' ? 'Audio' : 'Video'} input device not found (constraint deviceId)`
                );
            }
            return new OpenViduError(
                OpenViduErrorName.PUBLISHER_PROPERTIES_ERROR,
                `${opts.kind === 'audio' ? 'Audio' : 'Video'} input device doesn't support the value passed for constraint '${error?.constraint}'`
            );
        }
        case 'aborterror':
        case 'notreadableerror':
        case 'trackstarterror':
            return new OpenViduError(OpenViduErrorName.DEVICE_ALREADY_IN_USE, text);
        case 'notsupportederror':
            return new OpenViduError(opts.screen ? OpenViduErrorName.SCREEN_SHARING_NOT_SUPPORTED : OpenViduErrorName.GENERIC_ERROR, text);
        default:
            return new OpenViduError(OpenViduErrorName.GENERIC_ERROR, text);
    }
}

/**
 * Captures what the plan asks for. Camera and microphone are asked together;
 * when that fails, each kind alone tells which device is at fault (upstream
 * reports the failing kind the same way).
 */
export async function captureMedia(plan: MediaPlan): Promise<MediaStream> {
    const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    const out = new MediaStream();
    const stopAll = () => out.getTracks().forEach((t) => t.stop());
    if (plan.screen) {
        if (!md || typeof md.getDisplayMedia !== 'function') {
            throw new OpenViduError(OpenViduErrorName.SCREEN_SHARING_NOT_SUPPORTED, 'Screen sharing is not supported by this browser');
        }
        try {
            const screen = await md.getDisplayMedia({ video: true, audio: plan.screenAudio });
            screen.getTracks().forEach((t) => out.addTrack(t));
        } catch (e) {
            throw mediaError(e, { screen: true });
        }
    }
    const { audio, video } = plan.constraints;
    if (audio || video) {
        if (!md || typeof md.getUserMedia !== 'function') {
            stopAll();
            throw new OpenViduError(OpenViduErrorName.BROWSER_NOT_SUPPORTED, 'getUserMedia is not available (is the page served over HTTPS?)');
        }
        try {
            const cam = await md.getUserMedia({ audio, video });
            cam.getTracks().forEach((t) => out.addTrack(t));
        } catch (e: any) {
            stopAll();
            let kind: 'audio' | 'video' | undefined = video ? 'video' : 'audio';
            const name = String(e?.name ?? '').toLowerCase();
            if (audio && video && (name === 'notfounderror' || name === 'overconstrainederror')) {
                // Find the culprit: if video alone works, audio is at fault.
                try {
                    const v = await md.getUserMedia({ audio: false, video });
                    v.getTracks().forEach((t) => t.stop());
                    kind = 'audio';
                } catch {
                    kind = 'video';
                }
            }
            throw mediaError(e, { screen: false, kind });
        }
    }
    if (plan.audioTrack) out.addTrack(plan.audioTrack);
    if (plan.videoTrack) out.addTrack(plan.videoTrack);
    return out;
}

// Wire shapes of the OpenVidu 2.32 signaling and their decoding. Pure code:
// unit-tested without a browser.

import { TypeOfVideo } from './enums.js';
import type { ChangedPropertyType } from './enums.js';

export const SDK_VERSION = '2.32.2';

/** JSON-RPC error code of receiveVideoFrom for a stream already received (govidu's server). */
export const ALREADY_SUBSCRIBED = 106;

/** A stream object as the server sends it (joinRoom value[], participantPublished). */
export interface StreamOptionsServer {
    id: string;
    createdAt: number;
    hasAudio: boolean;
    hasVideo: boolean;
    audioActive: boolean;
    videoActive: boolean;
    typeOfVideo?: TypeOfVideo;
    frameRate: number;
    videoDimensions?: { width: number; height: number };
    filter?: { type: string; options: Object; lastExecMethod?: { method: string; params: Object } };
}

/** A remote participant (joinRoom value[], participantJoined, participantPublished). */
export interface RemoteConnectionOptions {
    id: string;
    createdAt: number;
    metadata: string;
    streams: StreamOptionsServer[];
}

export interface IceServerProperties {
    url: string;
    username?: string;
    credential?: string;
}

/** The joinRoom result: our own connection and everyone already there. */
export interface LocalConnectionOptions {
    id: string;
    finalUserId?: string;
    createdAt: number;
    metadata: string;
    value: RemoteConnectionOptions[];
    session: string;
    /** RPC session id, the key of a `connect` after a socket loss. */
    sessionId: string;
    role: string;
    record: boolean;
    version: string;
    mediaServer: string;
    videoSimulcast: boolean;
    life?: number;
    customIceServers?: IceServerProperties[];
    recordingId?: string;
    recordingName?: string;
}

/** Parses JSON text leniently: objects pass through, bad text gives undefined. */
function parseJSONText(v: unknown): unknown {
    if (typeof v !== 'string') return v;
    try {
        return JSON.parse(v);
    } catch {
        return undefined;
    }
}

function parseDimensions(v: unknown): { width: number; height: number } | undefined {
    let d = parseJSONText(v);
    if (typeof d === 'string') d = parseJSONText(d); // double-encoded
    if (d && typeof d === 'object') {
        const o = d as Record<string, unknown>;
        const width = Number(o.width);
        const height = Number(o.height);
        if (Number.isFinite(width) && Number.isFinite(height)) return { width, height };
    }
    return undefined;
}

function asBool(v: unknown): boolean {
    return v === true || v === 'true';
}

/** Decodes one stream object. Throws on a missing id, the one thing nothing works without. */
export function parseStreamOptions(raw: any): StreamOptionsServer {
    if (!raw || typeof raw !== 'object' || typeof raw.id !== 'string' || !raw.id) {
        throw new Error('stream object without id: ' + JSON.stringify(raw));
    }
    const hasAudio = asBool(raw.hasAudio);
    const hasVideo = asBool(raw.hasVideo);
    const s: StreamOptionsServer = {
        id: raw.id,
        createdAt: Number(raw.createdAt) || 0,
        hasAudio,
        hasVideo,
        audioActive: hasAudio && asBool(raw.audioActive),
        videoActive: hasVideo && asBool(raw.videoActive),
        frameRate: typeof raw.frameRate === 'number' ? raw.frameRate : -1
    };
    if (hasVideo && raw.typeOfVideo && raw.typeOfVideo in TypeOfVideo) s.typeOfVideo = raw.typeOfVideo as TypeOfVideo;
    const dims = parseDimensions(raw.videoDimensions);
    if (dims) s.videoDimensions = dims;
    if (raw.filter && typeof raw.filter === 'object' && typeof raw.filter.type === 'string') s.filter = raw.filter;
    return s;
}

/** Decodes a participant object; `streams` may be missing (not publishing). */
export function parseRemoteConnection(raw: any): RemoteConnectionOptions {
    if (!raw || typeof raw !== 'object' || typeof raw.id !== 'string' || !raw.id) {
        throw new Error('participant object without id: ' + JSON.stringify(raw));
    }
    const streams = Array.isArray(raw.streams) ? raw.streams.map(parseStreamOptions) : [];
    return {
        id: raw.id,
        createdAt: Number(raw.createdAt) || 0,
        metadata: typeof raw.metadata === 'string' ? raw.metadata : raw.metadata == null ? '' : JSON.stringify(raw.metadata),
        streams
    };
}

/** Decodes the joinRoom result. Throws when a field the SDK cannot work without is missing. */
export function parseJoinRoomResult(raw: any): LocalConnectionOptions {
    if (!raw || typeof raw !== 'object') throw new Error('joinRoom result is not an object');
    for (const k of ['id', 'role'] as const) {
        if (typeof raw[k] !== 'string' || !raw[k]) throw new Error(`joinRoom result without "${k}"`);
    }
    const value: unknown[] = Array.isArray(raw.value) ? raw.value : [];
    const out: LocalConnectionOptions = {
        id: raw.id,
        finalUserId: raw.finalUserId,
        createdAt: Number(raw.createdAt) || 0,
        metadata: typeof raw.metadata === 'string' ? raw.metadata : '',
        value: value.map(parseRemoteConnection),
        session: typeof raw.session === 'string' ? raw.session : '',
        sessionId: typeof raw.sessionId === 'string' ? raw.sessionId : '',
        role: raw.role,
        record: raw.record !== false,
        version: typeof raw.version === 'string' ? raw.version : '',
        mediaServer: typeof raw.mediaServer === 'string' ? raw.mediaServer : 'kurento',
        videoSimulcast: !!raw.videoSimulcast
    };
    if (raw.life != null) out.life = Number(raw.life);
    if (Array.isArray(raw.customIceServers)) out.customIceServers = raw.customIceServers;
    if (typeof raw.recordingId === 'string' && typeof raw.recordingName === 'string') {
        out.recordingId = raw.recordingId;
        out.recordingName = raw.recordingName;
    }
    return out;
}

/** RTCIceServer list from joinRoom's customIceServers (`url` singular on the wire). */
export function toRTCIceServers(list: IceServerProperties[] | undefined): RTCIceServer[] {
    const out: RTCIceServer[] = [];
    for (const s of list ?? []) {
        const url = s.url ?? (s as any).urls;
        if (!url) continue;
        const server: RTCIceServer = { urls: Array.isArray(url) ? url : [url] };
        if (s.username != null) server.username = s.username;
        if (s.credential != null) server.credential = s.credential;
        out.push(server);
    }
    return out;
}

/**
 * Decodes `newValue` of a streamPropertyChanged notification. The server
 * relays the JSON text the publisher sent, as a string: booleans arrive as
 * "true"/"false", dimensions as JSON text encoded twice, tracks once.
 */
export function decodePropertyValue(property: ChangedPropertyType | string, newValue: unknown): unknown {
    switch (property) {
        case 'audioActive':
        case 'videoActive':
            return asBool(newValue);
        case 'videoDimensions':
            return parseDimensions(newValue);
        case 'videoTrack':
        case 'audioTrack':
            return parseJSONText(newValue);
        default:
            return newValue;
    }
}

/** Splits a remote connection's metadata into client data and server data (`%/%`-separated). */
export function splitMetadata(metadata: string): { clientData: string; serverData: string } {
    const i = metadata.indexOf('%/%');
    if (i < 0) return { clientData: metadata, serverData: '' };
    return { clientData: metadata.slice(0, i), serverData: metadata.slice(i + 3) };
}

/** Params of joinRoom, as openvidu-browser 2.32.2 builds them. */
export function joinRoomParams(token: string, t: { sessionId: string; secret: string; recorder: boolean; stt: boolean }, metadata: unknown, platform: string) {
    const params: Record<string, unknown> = { token };
    if (t.sessionId) params.session = t.sessionId;
    params.platform = platform;
    params.sdkVersion = SDK_VERSION;
    params.metadata = metadata === undefined || metadata === null ? '' : typeof metadata === 'string' ? metadata : JSON.stringify(metadata);
    params.secret = t.secret;
    params.recorder = t.recorder;
    params.stt = t.stt;
    return params;
}

/** A publishVideo request from the publisher's state. */
export function publishVideoParams(o: {
    sdpOffer: string;
    doLoopback: boolean;
    hasAudio: boolean;
    hasVideo: boolean;
    audioActive: boolean;
    videoActive: boolean;
    typeOfVideo?: string;
    frameRate?: number;
    videoDimensions?: { width: number; height: number };
}) {
    const p: Record<string, unknown> = { doLoopback: o.doLoopback, hasAudio: o.hasAudio, hasVideo: o.hasVideo };
    if (o.hasAudio) p.audioActive = o.audioActive;
    if (o.hasVideo) {
        p.videoActive = o.videoActive;
        p.typeOfVideo = o.typeOfVideo ?? TypeOfVideo.CAMERA;
    }
    p.frameRate = o.frameRate && o.frameRate > 0 ? o.frameRate : -1;
    if (o.hasVideo && o.videoDimensions) p.videoDimensions = JSON.stringify(o.videoDimensions);
    p.sdpOffer = o.sdpOffer;
    return p;
}

/** Compares a server version with ours: true when the major is 2 (minor skew only logs upstream). */
export function compatibleServerVersion(version: string): boolean {
    const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
    return !!m && m[1] === '2';
}

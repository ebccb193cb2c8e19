// The inputs of upstream's openvidu-webcomponent 2.32, as attributes
// (kebab-case, strings) and properties (camelCase, typed). Booleans accept
// true/false or 'true'/'false' like upstream; anything else is reported and
// ignored instead of breaking the page.

export type Kind = 'boolean' | 'string' | 'number' | 'json';

export interface OptionSpec {
    prop: string;
    kind: Kind;
    def: unknown;
}

/** Upstream's inputs, in its order; `def` is upstream's default. */
export const OPTIONS: OptionSpec[] = [
    { prop: 'minimal', kind: 'boolean', def: false },
    { prop: 'lang', kind: 'string', def: 'en' },
    { prop: 'langOptions', kind: 'json', def: undefined },
    { prop: 'captionsLang', kind: 'string', def: 'en-US' },
    { prop: 'captionsLangOptions', kind: 'json', def: undefined },
    { prop: 'participantName', kind: 'string', def: '' },
    { prop: 'prejoin', kind: 'boolean', def: true },
    { prop: 'videoMuted', kind: 'boolean', def: false },
    { prop: 'audioMuted', kind: 'boolean', def: false },
    { prop: 'simulcast', kind: 'boolean', def: false },
    { prop: 'toolbarScreenshareButton', kind: 'boolean', def: true },
    { prop: 'toolbarFullscreenButton', kind: 'boolean', def: true },
    { prop: 'toolbarRecordingButton', kind: 'boolean', def: true },
    { prop: 'toolbarBroadcastingButton', kind: 'boolean', def: true },
    { prop: 'toolbarBackgroundEffectsButton', kind: 'boolean', def: true },
    { prop: 'toolbarCaptionsButton', kind: 'boolean', def: true },
    { prop: 'toolbarSettingsButton', kind: 'boolean', def: true },
    { prop: 'toolbarLeaveButton', kind: 'boolean', def: true },
    { prop: 'toolbarChatPanelButton', kind: 'boolean', def: true },
    { prop: 'toolbarActivitiesPanelButton', kind: 'boolean', def: true },
    { prop: 'toolbarParticipantsPanelButton', kind: 'boolean', def: true },
    { prop: 'toolbarDisplayLogo', kind: 'boolean', def: true },
    { prop: 'toolbarDisplaySessionName', kind: 'boolean', def: true },
    { prop: 'streamDisplayParticipantName', kind: 'boolean', def: true },
    { prop: 'streamDisplayAudioDetection', kind: 'boolean', def: true },
    { prop: 'streamSettingsButton', kind: 'boolean', def: true },
    { prop: 'streamResolution', kind: 'string', def: '640x480' },
    { prop: 'streamFrameRate', kind: 'number', def: 30 },
    { prop: 'participantPanelItemMuteButton', kind: 'boolean', def: true },
    { prop: 'recordingActivityRecordingsList', kind: 'json', def: [] },
    { prop: 'recordingActivityRecordingError', kind: 'json', def: undefined },
    { prop: 'activitiesPanelRecordingActivity', kind: 'boolean', def: true },
    { prop: 'activitiesPanelBroadcastingActivity', kind: 'boolean', def: true },
    { prop: 'broadcastingActivityBroadcastingError', kind: 'json', def: undefined },
    // govidu extension (upstream 3.x has it): a message shown in the prejoin
    // when the application could not get a token; the Join button works again.
    { prop: 'tokenError', kind: 'json', def: undefined }
];

/** The events of upstream's openvidu-webcomponent 2.32 (CustomEvent types). */
export const EVENTS = [
    'onJoinButtonClicked',
    'onToolbarLeaveButtonClicked',
    'onToolbarCameraButtonClicked',
    'onToolbarMicrophoneButtonClicked',
    'onToolbarScreenshareButtonClicked',
    'onToolbarFullscreenButtonClicked',
    'onToolbarParticipantsPanelButtonClicked',
    'onToolbarChatPanelButtonClicked',
    'onToolbarActivitiesPanelButtonClicked',
    'onToolbarStartRecordingClicked',
    'onToolbarStopRecordingClicked',
    'onToolbarStartBroadcastingClicked',
    'onToolbarStopBroadcastingClicked',
    'onActivitiesPanelStartRecordingClicked',
    'onActivitiesPanelStopRecordingClicked',
    'onActivitiesPanelDeleteRecordingClicked',
    'onActivitiesPanelDownloadRecordingClicked',
    'onActivitiesPanelPlayRecordingClicked',
    'onActivitiesPanelForceRecordingUpdate',
    'onActivitiesPanelStartBroadcastingClicked',
    'onActivitiesPanelStopBroadcastingClicked',
    'onSessionCreated',
    'onParticipantCreated',
    'onNodeCrashed',
    'onLangChanged'
] as const;

export type EventName = (typeof EVENTS)[number];

/** camelCase → kebab-case, as Angular elements map inputs to attributes. */
export function attributeName(prop: string): string {
    return prop.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Parses an attribute or property value; throws with a readable message on a bad one. */
export function parseOption(spec: OptionSpec, value: unknown): unknown {
    if (value === null || value === undefined) return spec.def;
    switch (spec.kind) {
        case 'boolean':
            if (typeof value === 'boolean') return value;
            if (value === 'true' || value === '') return true;
            if (value === 'false') return false;
            throw new Error(`${spec.prop} must be true or false, got ${JSON.stringify(value)}`);
        case 'number': {
            const n = typeof value === 'number' ? value : Number(String(value).trim());
            if (!Number.isFinite(n) || n <= 0) throw new Error(`${spec.prop} must be a positive number, got ${JSON.stringify(value)}`);
            return n;
        }
        case 'json':
            if (typeof value !== 'string') return value;
            try {
                return JSON.parse(value);
            } catch {
                return value; // a plain message (recording errors, token errors)
            }
        default:
            return String(value);
    }
}

export interface Tokens {
    webcam: string;
    screen?: string;
}

/**
 * Upstream's `tokens` input: '{"webcam":"T1","screen":"T2"}', an object of
 * that shape, or a single token (then there is no screen sharing).
 */
export function parseTokens(value: unknown): Tokens | undefined {
    if (value === null || value === undefined || value === '') return undefined;
    let v: any = value;
    if (typeof v === 'string') {
        const s = v.trim();
        if (s.startsWith('{')) {
            try {
                v = JSON.parse(s);
            } catch {
                throw new Error('tokens: not valid JSON: ' + s.slice(0, 60));
            }
        } else return { webcam: s };
    }
    if (typeof v !== 'object' || typeof v.webcam !== 'string' || !v.webcam) {
        throw new Error('tokens must be a token string or {"webcam": "...", "screen": "..."}');
    }
    return { webcam: v.webcam, screen: typeof v.screen === 'string' && v.screen ? v.screen : undefined };
}

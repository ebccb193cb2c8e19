// Types of govidu's <openvidu-webcomponent> (served at /openvidu-webcomponent.d.ts).
// The inputs and outputs are those of upstream's openvidu-webcomponent 2.32.
// Every input is also an attribute in kebab-case (toolbarScreenshareButton →
// toolbar-screenshare-button); every output is a CustomEvent of the same name
// (and of its kebab-case name, for Vue), whose value is in `detail`.

export {};

declare global {
    interface OpenViduWebComponentTokens {
        webcam: string;
        screen?: string;
    }

    interface OpenViduWebComponentLangOption {
        name: string;
        lang: string;
    }

    /** What onParticipantCreated carries: the local participant. */
    interface OpenViduWebComponentParticipant {
        id: string;
        nickname: string;
        local: true;
        role: string;
        connectionId: string;
    }

    interface OpenViduWebComponentEventMap {
        onJoinButtonClicked: CustomEvent<void>;
        onToolbarLeaveButtonClicked: CustomEvent<void>;
        onToolbarCameraButtonClicked: CustomEvent<void>;
        onToolbarMicrophoneButtonClicked: CustomEvent<void>;
        onToolbarScreenshareButtonClicked: CustomEvent<void>;
        onToolbarFullscreenButtonClicked: CustomEvent<void>;
        onToolbarParticipantsPanelButtonClicked: CustomEvent<void>;
        onToolbarChatPanelButtonClicked: CustomEvent<void>;
        onToolbarActivitiesPanelButtonClicked: CustomEvent<void>;
        onToolbarStartRecordingClicked: CustomEvent<void>;
        onToolbarStopRecordingClicked: CustomEvent<void>;
        onToolbarStartBroadcastingClicked: CustomEvent<void>;
        onToolbarStopBroadcastingClicked: CustomEvent<void>;
        onActivitiesPanelStartRecordingClicked: CustomEvent<void>;
        onActivitiesPanelStopRecordingClicked: CustomEvent<void>;
        /** detail: the recording id. */
        onActivitiesPanelDeleteRecordingClicked: CustomEvent<string>;
        /** detail: the recording id. */
        onActivitiesPanelDownloadRecordingClicked: CustomEvent<string>;
        /** detail: the recording id. */
        onActivitiesPanelPlayRecordingClicked: CustomEvent<string>;
        onActivitiesPanelForceRecordingUpdate: CustomEvent<void>;
        /** detail: the RTMP URL typed in the panel. */
        onActivitiesPanelStartBroadcastingClicked: CustomEvent<string>;
        onActivitiesPanelStopBroadcastingClicked: CustomEvent<void>;
        /** detail: the openvidu-browser Session (before it connects). */
        onSessionCreated: CustomEvent<any>;
        onParticipantCreated: CustomEvent<OpenViduWebComponentParticipant>;
        onNodeCrashed: CustomEvent<void>;
        onLangChanged: CustomEvent<OpenViduWebComponentLangOption>;
    }

    interface OpenViduWebComponentElement extends HTMLElement {
        /** '{"webcam":"T1","screen":"T2"}', that object, or one token (then no screen sharing). */
        tokens: OpenViduWebComponentTokens | string | undefined;
        minimal: boolean | string;
        lang: string;
        langOptions: OpenViduWebComponentLangOption[] | string | undefined;
        /** Accepted; speech-to-text captions are not provided by govidu. */
        captionsLang: string;
        captionsLangOptions: unknown;
        participantName: string;
        prejoin: boolean | string;
        videoMuted: boolean | string;
        audioMuted: boolean | string;
        simulcast: boolean | string;
        toolbarScreenshareButton: boolean | string;
        toolbarFullscreenButton: boolean | string;
        toolbarRecordingButton: boolean | string;
        toolbarBroadcastingButton: boolean | string;
        /** Accepted; virtual backgrounds are not provided by govidu. */
        toolbarBackgroundEffectsButton: boolean | string;
        /** Accepted; captions are not provided by govidu. */
        toolbarCaptionsButton: boolean | string;
        toolbarSettingsButton: boolean | string;
        toolbarLeaveButton: boolean | string;
        toolbarChatPanelButton: boolean | string;
        toolbarActivitiesPanelButton: boolean | string;
        toolbarParticipantsPanelButton: boolean | string;
        toolbarDisplayLogo: boolean | string;
        toolbarDisplaySessionName: boolean | string;
        streamDisplayParticipantName: boolean | string;
        streamDisplayAudioDetection: boolean | string;
        streamSettingsButton: boolean | string;
        streamResolution: string;
        streamFrameRate: number | string;
        participantPanelItemMuteButton: boolean | string;
        recordingActivityRecordingsList: { id: string; name?: string }[] | string;
        recordingActivityRecordingError: unknown;
        activitiesPanelRecordingActivity: boolean | string;
        activitiesPanelBroadcastingActivity: boolean | string;
        broadcastingActivityBroadcastingError: unknown;
        /** govidu extension (as upstream 3.x): shows why no token came; Join works again. */
        tokenError: unknown;
        /** Leaves the session (upstream's method). */
        disconnect(): void;
        addEventListener<K extends keyof OpenViduWebComponentEventMap>(
            type: K,
            listener: (this: OpenViduWebComponentElement, ev: OpenViduWebComponentEventMap[K]) => any,
            options?: boolean | AddEventListenerOptions
        ): void;
        addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
    }

    interface HTMLElementTagNameMap {
        'openvidu-webcomponent': OpenViduWebComponentElement;
    }
}

// <openvidu-webcomponent>: upstream's openvidu-webcomponent 2.32 (an Angular
// element) rebuilt as a plain custom element on our SDK. Inputs work as
// attributes (kebab-case) and properties (camelCase); outputs are
// CustomEvents named as upstream's (`onJoinButtonClicked`, ..., the value in
// `detail`), also dispatched in kebab-case (`on-join-button-clicked`) for
// frameworks such as Vue that listen that way.

import { Call, JoinError } from './call.js';
import type { Participant } from './call.js';
import { defaultLangOptions, translator } from './i18n.js';
import type { LangOption, Translate } from './i18n.js';
import { OPTIONS, attributeName, parseOption, parseTokens } from './options.js';
import type { EventName, OptionSpec, Tokens } from './options.js';
import { CallView } from './view.js';

const byAttribute = new Map<string, OptionSpec>(OPTIONS.map((o) => [attributeName(o.prop), o]));
const byProp = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.prop, o]));

/** The local participant as onParticipantCreated describes it. */
export interface ParticipantInfo {
    id: string;
    nickname: string;
    local: true;
    role: string;
    connectionId: string;
}

export class OpenViduWebComponent extends HTMLElement {
    static get observedAttributes(): string[] {
        return ['tokens', ...byAttribute.keys()];
    }

    private values: Record<string, unknown> = Object.fromEntries(OPTIONS.map((o) => [o.prop, o.def]));
    private currentTokens?: Tokens;
    private tokensUsed = false;
    private call?: Call;
    private view?: CallView;
    private t: Translate = translator('en');
    private disposeTimer: ReturnType<typeof setTimeout> | undefined;
    private starting?: Promise<void>;
    private pendingName = '';

    constructor() {
        super();
        this.attachShadow({ mode: 'open' });
    }

    connectedCallback(): void {
        if (this.disposeTimer) clearTimeout(this.disposeTimer);
        this.disposeTimer = undefined;
        // Properties set before the element was defined (frameworks do that)
        // shadow the accessors: take them over.
        for (const prop of ['tokens', ...byProp.keys()]) {
            if (Object.prototype.hasOwnProperty.call(this, prop)) {
                const v = (this as any)[prop];
                delete (this as any)[prop];
                (this as any)[prop] = v;
            }
        }
        if (!this.call) this.start();
    }

    disconnectedCallback(): void {
        // Moving the element (detach + attach) must not end the call.
        this.disposeTimer = setTimeout(() => this.dispose(), 0);
    }

    attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
        if (name === 'tokens') {
            this.setTokens(value);
            return;
        }
        const spec = byAttribute.get(name);
        if (spec) this.setOption(spec, value);
    }

    // ---- inputs ------------------------------------------------------------

    get tokens(): Tokens | undefined {
        return this.currentTokens;
    }

    set tokens(value: unknown) {
        this.setTokens(value);
    }

    /** @internal */
    getOption(prop: string): unknown {
        return this.values[prop];
    }

    /** @internal */
    setOption(spec: OptionSpec, value: unknown): void {
        let parsed: unknown;
        try {
            parsed = parseOption(spec, value);
        } catch (e) {
            console.error('openvidu-webcomponent:', (e as Error).message);
            return;
        }
        this.values[spec.prop] = parsed;
        if (spec.prop === 'lang') this.applyLang(String(parsed || 'en'));
        else if (spec.prop === 'tokenError') this.onTokenError(parsed);
        else if (spec.prop === 'participantName') this.view?.setName(String(parsed ?? ''));
        this.view?.optionsChanged();
    }

    private setTokens(value: unknown): void {
        let tokens: Tokens | undefined;
        try {
            tokens = parseTokens(value);
        } catch (e) {
            console.error('openvidu-webcomponent:', (e as Error).message);
            this.view?.setJoinError(this.t('errNoToken'));
            return;
        }
        if (!tokens) return;
        if (this.currentTokens && this.currentTokens.webcam === tokens.webcam && this.currentTokens.screen === tokens.screen) return;
        this.currentTokens = tokens;
        this.tokensUsed = false;
        if (!this.call) return; // start() picks them up
        this.tokensArrived();
    }

    /** As upstream: once there are tokens, the Session exists and the page hears about it. */
    private tokensArrived(): void {
        const call = this.call;
        if (!call || !this.currentTokens) return;
        // In a call already: the new tokens wait for the next join.
        if (call.state === 'joined' || call.state === 'joining') return;
        const session = call.prepareSession();
        this.emit('onSessionCreated', session);
        this.emit('onParticipantCreated', this.participantInfo(call.local));
        const phase = this.view?.phase;
        if (phase === 'waiting') void this.doJoin(this.pendingName);
        else if (phase === 'loading' && !this.values.prejoin && !this.starting) void this.doJoin(this.defaultName());
        this.view?.optionsChanged();
    }

    private onTokenError(v: unknown): void {
        if (v === undefined || v === null || v === '') return;
        const message = typeof v === 'string' ? v : String((v as any)?.message ?? JSON.stringify(v));
        const view = this.view;
        if (!view) return;
        if (view.phase === 'waiting' || view.phase === 'joining' || view.phase === 'prejoin') {
            view.setJoinError(message);
            view.setPhase('prejoin');
        } else if (view.phase === 'loading') {
            view.setNotice(this.t('errJoin', { detail: '' }).replace(/:\s*$/, ''), message, '');
            view.setPhase('fatal');
        }
    }

    // ---- lifecycle ---------------------------------------------------------

    private start(): void {
        const call = new Call({
            resolution: String(this.values.streamResolution || '640x480'),
            frameRate: Number(this.values.streamFrameRate) || 30,
            simulcast: !!this.values.simulcast
        });
        call.audioEnabled = !this.values.audioMuted;
        call.videoEnabled = !this.values.videoMuted;
        this.call = call;
        this.applyLang(String(this.values.lang || 'en'), false);
        const self = this;
        this.view = new CallView(
            this.shadowRoot!,
            {
                element: this,
                opt: (p) => this.values[p],
                get t() {
                    return self.t;
                },
                emit: (n, d) => this.emit(n, d),
                join: (name) => {
                    this.values.participantName = name;
                    this.emit('onJoinButtonClicked');
                    void this.doJoin(name);
                },
                rejoin: () => this.rejoin(),
                leave: () => {
                    this.call?.leave();
                    this.emit('onToolbarLeaveButtonClicked');
                },
                sessionName: () => this.sessionName(),
                langOptions: () => this.availableLangs(),
                setLang: (l) => {
                    this.values.lang = l.lang;
                    this.applyLang(l.lang);
                }
            },
            call
        );
        call.onChange((what) => what === 'state' && this.onCallState());
        if (this.currentTokens) this.tokensArrived();
        this.starting = this.prepareMedia();
    }

    private async prepareMedia(): Promise<void> {
        const view = this.view!;
        view.loadingText = '';
        view.setPhase('loading');
        await this.call!.openMedia();
        this.starting = undefined;
        if (this.values.prejoin) {
            view.setPhase('prejoin');
        } else if (this.currentTokens && !this.tokensUsed) {
            void this.doJoin(this.defaultName());
        } else {
            view.loadingText = this.t('waitingToken');
            view.setPhase('loading');
            this.pendingName = this.defaultName();
        }
    }

    private defaultName(): string {
        const name = String(this.values.participantName || '').trim();
        return name || 'OpenVidu_User' + Math.floor(Math.random() * 100);
    }

    private async doJoin(name: string): Promise<void> {
        const call = this.call;
        const view = this.view;
        if (!call || !view) return;
        if (!this.currentTokens || this.tokensUsed) {
            this.pendingName = name;
            if (this.values.prejoin) view.setPhase('waiting');
            else {
                view.loadingText = this.t('waitingToken');
                view.setPhase('loading');
            }
            return;
        }
        const tokens = this.currentTokens;
        this.tokensUsed = true;
        if (this.values.prejoin) view.setPhase('joining');
        view.setJoinError('');
        try {
            await call.join(tokens, name);
            view.setPhase('room');
            this.emit('onParticipantCreated', this.participantInfo(call.local));
        } catch (e) {
            const kind = e instanceof JoinError ? e.kind : 'other';
            const msg = kind === 'token' ? this.t('errToken') : kind === 'server' ? this.t('errServer') : this.t('errJoin', { detail: String((e as Error)?.message ?? e) });
            console.error('openvidu-webcomponent: could not join:', (e as Error)?.message ?? e);
            view.setJoinError(msg);
            if (this.values.prejoin) view.setPhase('prejoin');
            else {
                view.setNotice(this.t('errJoin', { detail: '' }).replace(/:\s*$/, ''), msg, 'rejoin');
                view.setPhase('fatal');
            }
        }
    }

    private onCallState(): void {
        const call = this.call;
        const view = this.view;
        if (!call || !view || call.state !== 'ended') return;
        const t = this.t;
        const reason = call.endReason;
        if (reason === 'nodeCrashed') this.emit('onNodeCrashed');
        const text: Record<string, string> = {
            disconnect: '',
            forceDisconnectByUser: t('endedEvicted'),
            forceDisconnectByServer: t('endedEvicted'),
            sessionClosedByServer: t('endedClosed'),
            networkDisconnect: t('endedNetwork'),
            openviduServerStopped: t('endedStopped'),
            nodeCrashed: t('endedCrashed')
        };
        view.setNotice(reason === 'disconnect' ? t('leftTitle') : t('endedTitle'), text[reason] ?? t('endedOther', { reason }), 'rejoin');
        view.setPhase('ended');
    }

    private rejoin(): void {
        this.tokensUsed = true;
        this.starting = this.prepareMedia();
    }

    /** Leaves the session (upstream's public method). */
    disconnect(): void {
        this.call?.leave();
    }

    private dispose(): void {
        this.view?.dispose();
        this.call?.dispose();
        this.view = undefined;
        this.call = undefined;
        this.shadowRoot?.replaceChildren();
    }

    // ---- outputs -----------------------------------------------------------

    private emit(name: EventName, detail?: unknown): void {
        this.dispatchEvent(new CustomEvent(name, { detail, bubbles: false }));
        const kebab = name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
        this.dispatchEvent(new CustomEvent(kebab, { detail, bubbles: false }));
    }

    private participantInfo(p: Participant): ParticipantInfo {
        return { id: p.id, nickname: p.nickname || String(this.values.participantName || ''), local: true, role: p.role, connectionId: this.call?.session?.connection?.connectionId ?? '' };
    }

    private sessionName(): string {
        const token = this.currentTokens?.webcam;
        if (!token) return '';
        const m = /[?&]sessionId=([^&#]+)/.exec(token);
        try {
            return m ? decodeURIComponent(m[1]) : '';
        } catch {
            return m ? m[1] : '';
        }
    }

    private availableLangs(): LangOption[] {
        const given = this.values.langOptions;
        return Array.isArray(given) && given.length > 0 ? given.filter((l) => l && typeof l.lang === 'string') : defaultLangOptions;
    }

    private applyLang(lang: string, announce = true): void {
        const next = translator(lang);
        this.t = next;
        if (!this.view) return;
        this.view.build();
        if (announce) {
            const opt = this.availableLangs().find((l) => l.lang === lang) ?? { name: lang, lang };
            this.emit('onLangChanged', opt);
        }
    }
}

// Accessors for every input, typed loosely as upstream's Angular element.
for (const spec of OPTIONS) {
    Object.defineProperty(OpenViduWebComponent.prototype, spec.prop, {
        configurable: true,
        enumerable: true,
        get(this: OpenViduWebComponent) {
            return this.getOption(spec.prop);
        },
        set(this: OpenViduWebComponent, v: unknown) {
            this.setOption(spec, v);
        }
    });
}

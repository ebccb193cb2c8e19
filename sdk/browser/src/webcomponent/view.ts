// The component's DOM: prejoin, the room (tiles, toolbar, panels), notices
// and toasts, rendered into the shadow root from the Call's state.

import type { Call, MediaProblem, Tile, Toast } from './call.js';
import { fill, h, svg, toggle } from './dom.js';
import type { Key, LangOption, Translate } from './i18n.js';
import { icons } from './icons.js';
import type { IconName } from './icons.js';
import { bestGrid, hueOf, initials } from './layout.js';
import type { EventName } from './options.js';
import { styles } from './styles.js';

export type Phase = 'loading' | 'prejoin' | 'joining' | 'waiting' | 'room' | 'ended' | 'fatal';
type PanelName = 'chat' | 'participants' | 'settings' | 'activities';

/** What the view needs from the element that owns it. */
export interface ViewHost {
    readonly element: HTMLElement;
    opt(prop: string): any;
    t: Translate;
    emit(name: EventName, detail?: unknown): void;
    /** The prejoin's Join button (or an automatic join). */
    join(name: string): void;
    /** "Rejoin" after leaving or being disconnected. */
    rejoin(): void;
    /** The leave button: leave and tell the page. */
    leave(): void;
    sessionName(): string;
    langOptions(): LangOption[];
    setLang(lang: LangOption): void;
}

interface TileView {
    el: HTMLElement;
    name: HTMLElement;
    mic: HTMLElement;
    hand: HTMLElement;
    avatar: HTMLElement;
}

const problemKey: Record<MediaProblem, Key> = {
    denied: 'errDenied',
    noDevices: 'errNoDevices',
    camInUse: 'errCamInUse',
    noCamera: 'errNoCamera',
    noMic: 'errNoMic',
    insecure: 'errInsecure',
    other: 'errMedia'
};

export class CallView {
    phase: Phase = 'loading';
    private panel: PanelName | null = null;
    private pinned = '';
    private unread = 0;
    private joinError = '';
    private notice = { title: '', text: '', action: '' as '' | 'rejoin' };
    /** Shown under the spinner while loading. */
    loadingText = '';
    private root!: HTMLElement;
    private prejoinEl!: HTMLElement;
    private roomEl!: HTMLElement;
    private noticeEl!: HTMLElement;
    private toastsEl!: HTMLElement;
    private stage!: HTMLElement;
    private panelEl!: HTMLElement;
    private toolbarEl!: HTMLElement;
    private bannerEl!: HTMLElement;
    private previewVideo = document.createElement('video');
    private nameInput!: HTMLInputElement;
    private meterBars: HTMLElement[] = [];
    private tileViews = new Map<string, TileView>();
    private menuEl: HTMLElement | null = null;
    private resize = new ResizeObserver(() => this.layout());
    private unsubscribe: () => void;
    private meterHandler?: (e: any) => void;
    private meterPublisher?: NonNullable<Call['media']['publisher']>;

    constructor(
        private shadow: ShadowRoot,
        private host: ViewHost,
        private call: Call
    ) {
        this.previewVideo.autoplay = true;
        this.previewVideo.muted = true;
        this.previewVideo.playsInline = true;
        this.unsubscribe = call.onChange((what) => this.onChange(what));
        call.onToast((t) => this.showToast(t));
        this.build();
        document.addEventListener('fullscreenchange', this.onFullscreen);
    }

    private get t(): Translate {
        return this.host.t;
    }

    dispose(): void {
        this.unsubscribe();
        this.resize.disconnect();
        document.removeEventListener('fullscreenchange', this.onFullscreen);
    }

    private onFullscreen = () => this.renderToolbar();

    /** (Re)builds everything, e.g. after a language change; the call's videos are moved, not recreated. */
    build(): void {
        this.resize.disconnect();
        this.tileViews.clear();
        this.composer = undefined;
        this.root = h('div', { class: 'root', part: 'root' });
        this.prejoinEl = h('section', { class: 'prejoin' });
        this.roomEl = h('section', { class: 'room' });
        this.noticeEl = h('section', { class: 'notice' });
        this.toastsEl = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
        this.root.append(this.prejoinEl, this.roomEl, this.noticeEl, this.toastsEl);
        fill(this.shadow, h('style', null, styles), this.root);
        this.buildPrejoin();
        this.buildRoom();
        this.resize.observe(this.stage);
        this.setPhase(this.phase);
    }

    setPhase(phase: Phase): void {
        this.phase = phase;
        this.root.dataset.phase = phase;
        const prejoinLike = phase === 'prejoin' || phase === 'joining' || phase === 'waiting';
        this.prejoinEl.hidden = !prejoinLike;
        this.roomEl.hidden = phase !== 'room';
        this.noticeEl.hidden = !(phase === 'loading' || phase === 'ended' || phase === 'fatal');
        if (prejoinLike) this.renderPrejoin();
        if (phase === 'room') this.renderRoom();
        else this.closeMenu();
        if (!this.noticeEl.hidden) this.renderNotice();
    }

    setJoinError(message: string): void {
        this.joinError = message;
        if (this.phase === 'prejoin' || this.phase === 'joining' || this.phase === 'waiting') this.renderPrejoin();
    }

    setNotice(title: string, text: string, action: '' | 'rejoin'): void {
        this.notice = { title, text, action };
        this.renderNotice();
    }

    /** The participant-name attribute changed: show it in the prejoin. */
    setName(name: string): void {
        if (this.nameInput && name) this.nameInput.value = name;
    }

    /** The name typed in the prejoin (or the participant-name attribute). */
    participantName(): string {
        return (this.nameInput?.value ?? '').trim() || this.host.opt('participantName') || '';
    }

    private onChange(what: string): void {
        switch (what) {
            case 'media':
            case 'devices':
                if (this.phase !== 'room') this.renderPrejoin();
                else {
                    this.renderToolbar();
                    if (this.panel === 'settings') this.renderPanel();
                }
                break;
            case 'tiles':
                this.renderTiles();
                break;
            case 'participants':
                this.renderTiles();
                this.renderToolbar();
                if (this.panel === 'participants') this.renderPanel();
                break;
            case 'speaking':
                this.renderSpeaking();
                break;
            case 'chat':
                if (this.panel === 'chat') this.renderPanel();
                else {
                    this.unread++;
                    this.renderToolbar();
                }
                break;
            case 'recording':
                this.renderToolbar();
                if (this.panel === 'activities') this.renderPanel();
                break;
            case 'reconnecting':
                this.bannerEl.hidden = !this.call.reconnecting;
                break;
        }
    }

    /** Options changed (attributes or properties): redraw what depends on them. */
    optionsChanged(): void {
        if (this.phase === 'room') this.renderRoom();
        else if (this.phase === 'prejoin' || this.phase === 'joining' || this.phase === 'waiting') this.renderPrejoin();
    }

    // ---- prejoin -----------------------------------------------------------

    private buildPrejoin(): void {
        const saved = safeStorage('govidu-participant-name');
        this.nameInput = h('input', {
            type: 'text',
            maxlength: 50,
            autocomplete: 'name',
            id: 'participant-name',
            value: this.host.opt('participantName') || saved || '',
            onkeydown: (e: KeyboardEvent) => e.key === 'Enter' && this.onJoinClicked()
        });
        this.meterBars = [h('i'), h('i'), h('i')];
        fill(this.prejoinEl, h('div', { class: 'prejoin-card' }, h('div', { class: 'preview' }), h('div', { class: 'form' })));
    }

    private renderPrejoin(): void {
        const t = this.t;
        const call = this.call;
        const card = this.prejoinEl.firstElementChild as HTMLElement;
        const [previewCol, form] = Array.from(card.children) as HTMLElement[];
        const busy = this.phase === 'joining' || this.phase === 'waiting';
        const publisher = call.media.publisher;

        // Preview with the live camera, the mic/cam toggles and a level meter.
        if (publisher && this.previewVideo.srcObject !== publisher.stream.getMediaStream()) {
            publisher.addVideoElement(this.previewVideo);
            this.watchLevel(publisher);
        }
        if (!publisher) this.previewVideo.srcObject = null;
        const showVideo = !!publisher && call.videoEnabled && call.hasVideo();
        const frame = h(
            'div',
            { class: 'preview-frame' },
            this.previewVideo,
            !showVideo ? this.avatar(this.participantName() || '?', 'avatar') : null,
            call.hasAudio() && call.audioEnabled ? h('div', { class: 'meter', title: t('microphone') }, this.meterBars) : null,
            h(
                'div',
                { class: 'preview-controls' },
                this.iconButton(call.audioEnabled && call.hasAudio() ? 'mic' : 'micOff', call.audioEnabled ? t('micOn') : t('micOff'), () => this.toggleMic(), {
                    off: !call.audioEnabled || !call.hasAudio(),
                    id: 'prejoin-mic'
                }),
                this.iconButton(showVideo ? 'cam' : 'camOff', call.videoEnabled ? t('camOn') : t('camOff'), () => void this.toggleCam(), {
                    off: !call.videoEnabled || !call.hasVideo(),
                    id: 'prejoin-camera'
                })
            )
        );
        this.previewVideo.hidden = !showVideo;
        if (showVideo && this.previewVideo.paused) void this.previewVideo.play().catch(() => {});
        fill(previewCol, frame);

        const problem = call.media.problem;
        const alerts: HTMLElement[] = [];
        if (problem && this.phase !== 'loading') {
            alerts.push(
                h(
                    'div',
                    { class: 'alert' + (problem === 'noCamera' || problem === 'noMic' ? ' info' : ''), id: 'media-error' },
                    svg(icons.alert),
                    h(
                        'div',
                        null,
                        t(problemKey[problem], { detail: call.media.detail ?? '' }),
                        problem === 'noCamera' || problem === 'noMic'
                            ? null
                            : h('div', { class: 'actions' }, h('button', { class: 'link', onclick: () => void call.openMedia() }, t('retry')))
                    )
                )
            );
        }
        if (this.joinError) {
            alerts.push(h('div', { class: 'alert', id: 'join-error' }, svg(icons.alert), h('div', null, this.joinError)));
        }
        if (this.phase === 'waiting') alerts.push(h('div', { class: 'alert info' }, h('div', { class: 'spinner', style: { width: '18px', height: '18px', borderWidth: '2px' } }), h('div', null, t('waitingToken'))));

        const nameField = h('label', { class: 'field' }, t('yourName'), this.nameInput);
        this.nameInput.disabled = busy;
        const devices = h(
            'div',
            { class: 'row' },
            this.deviceSelect('videoinput', t('camera'), 'camera-select'),
            this.deviceSelect('audioinput', t('microphone'), 'microphone-select')
        );
        const joinBtn = h('button', { class: 'primary', id: 'join-button', disabled: busy, onclick: () => this.onJoinClicked() }, busy ? t('joining') : t('join'));
        fill(
            form,
            h('h1', null, t('joinTitle')),
            this.host.opt('toolbarDisplaySessionName') && this.host.sessionName() ? h('p', { class: 'sub' }, this.host.sessionName()) : null,
            nameField,
            h('slot', { name: 'prejoin-extra' }),
            devices,
            alerts,
            joinBtn
        );
    }

    private onJoinClicked(): void {
        if (this.phase !== 'prejoin') return;
        const name = this.participantName();
        if (!name) {
            this.nameInput.focus();
            this.nameInput.reportValidity?.();
            this.nameInput.setCustomValidity('');
            return;
        }
        try {
            localStorage.setItem('govidu-participant-name', name);
        } catch {
            // storage may be blocked (private mode, sandboxed iframe)
        }
        this.joinError = '';
        this.host.join(name);
    }

    private deviceSelect(kind: 'videoinput' | 'audioinput', label: string, id: string): HTMLElement {
        const list = kind === 'videoinput' ? this.call.cameras() : this.call.microphones();
        const selected = kind === 'videoinput' ? this.call.selectedCamera : this.call.selectedMic;
        const select = h(
            'select',
            {
                id,
                disabled: list.length === 0,
                onchange: (e: Event) => void this.call.switchDevice(kind, (e.target as HTMLSelectElement).value).catch((err) => this.showError(err))
            },
            list.length === 0 ? h('option', { value: '' }, this.t('none')) : list.map((d, i) => h('option', { value: d.deviceId, selected: d.deviceId === selected }, d.label || `${label} ${i + 1}`))
        );
        return h('label', { class: 'field' }, label, select);
    }

    /** Animates the meter from the publisher's volume events (dB, -100…0). */
    private watchLevel(publisher: NonNullable<Call['media']['publisher']>): void {
        if (this.meterPublisher === publisher) return;
        if (this.meterPublisher && this.meterHandler) this.meterPublisher.off('streamAudioVolumeChange', this.meterHandler);
        this.meterHandler ??= (e: any) => {
            const db = Number(e?.value?.newValue ?? -100);
            const level = Math.max(0, Math.min(1, (db + 60) / 45));
            this.meterBars.forEach((b, i) => (b.style.height = 5 + Math.round(level * (i === 1 ? 14 : 9)) + 'px'));
        };
        this.meterPublisher = publisher;
        publisher.on('streamAudioVolumeChange', this.meterHandler);
    }

    // ---- notices -----------------------------------------------------------

    private renderNotice(): void {
        const t = this.t;
        if (this.phase === 'loading') {
            fill(this.noticeEl, h('div', { class: 'notice-card' }, h('div', { class: 'spinner' }), h('p', null, this.loadingText || t('preparing'))));
            return;
        }
        const n = this.notice;
        fill(
            this.noticeEl,
            h(
                'div',
                { class: 'notice-card', id: 'notice' },
                h('h2', null, n.title),
                n.text ? h('p', null, n.text) : null,
                n.action === 'rejoin' ? h('button', { class: 'primary', id: 'rejoin-button', onclick: () => this.host.rejoin() }, t('rejoin')) : null
            )
        );
    }

    // ---- room --------------------------------------------------------------

    private buildRoom(): void {
        this.stage = h('div', { class: 'stage', id: 'layout' });
        this.panelEl = h('aside', { class: 'panel', hidden: true });
        this.toolbarEl = h('footer', { class: 'toolbar', id: 'toolbar' });
        this.bannerEl = h('div', { class: 'banner', hidden: !this.call.reconnecting }, h('div', { class: 'spinner' }), this.t('reconnecting'));
        fill(this.roomEl, h('div', { class: 'main' }, this.stage, this.panelEl), this.toolbarEl, this.bannerEl);
    }

    private renderRoom(): void {
        this.renderTiles();
        this.renderToolbar();
        this.renderPanel();
    }

    private tileOrder(): Tile[] {
        const tiles = Array.from(this.call.tiles.values());
        const rank = (t: Tile) => (t.type === 'SCREEN' ? 0 : t.local ? 1 : 2);
        return tiles.sort((a, b) => rank(a) - rank(b) || a.participant.joinedAt - b.participant.joinedAt);
    }

    private renderTiles(): void {
        if (this.phase !== 'room') return;
        const tiles = this.tileOrder();
        for (const id of Array.from(this.tileViews.keys())) {
            if (!this.call.tiles.has(id)) {
                this.tileViews.get(id)!.el.remove();
                this.tileViews.delete(id);
            }
        }
        if (this.pinned && !this.call.tiles.has(this.pinned)) this.pinned = '';
        for (const tile of tiles) this.updateTile(tile);

        // A remote screen is featured; our own is not (it would show the call inside itself).
        const featuredId = this.pinned || tiles.find((t) => t.type === 'SCREEN' && !t.local)?.id || '';
        const els = tiles.map((t) => this.tileViews.get(t.id)!.el);
        for (const el of els) el.style.width = el.style.height = '';
        if (featuredId && tiles.length > 1) {
            const featured = this.tileViews.get(featuredId)!.el;
            const strip = h('div', { class: 'strip' });
            const wrap = h('div', { class: 'presentation' }, h('div', { class: 'featured' }), strip);
            this.swap(wrap.firstElementChild as HTMLElement, [featured]);
            this.swap(strip, els.filter((e) => e !== featured));
            this.stage.replaceChildren(wrap);
        } else {
            const grid = h('div', { class: 'grid' });
            this.swap(grid, els);
            this.stage.replaceChildren(grid);
        }
        for (const v of this.stage.querySelectorAll('video')) if (v.paused && v.srcObject) void v.play().catch(() => {});
        this.layout();
        this.renderSpeaking();
    }

    private swap(parent: HTMLElement, children: HTMLElement[]): void {
        for (const c of children) parent.appendChild(c);
    }

    /** Sizes the grid (or the presentation strip) to the stage. */
    private layout(): void {
        const w = this.stage.clientWidth;
        const hgt = this.stage.clientHeight;
        const pres = this.stage.querySelector<HTMLElement>('.presentation');
        if (pres) {
            toggle(pres, 'narrow', w < 700 || w / Math.max(1, hgt) < 1.2);
            return;
        }
        const grid = this.stage.querySelector<HTMLElement>('.grid');
        if (!grid) return;
        const n = grid.children.length;
        const g = bestGrid(n, w, hgt, 8, 16 / 9);
        // A flex row as wide as `cols` tiles: the last, shorter row is centred.
        grid.style.width = g.cols * g.width + (g.cols - 1) * 8 + 'px';
        for (const tile of Array.from(grid.children) as HTMLElement[]) {
            tile.style.width = g.width + 'px';
            tile.style.height = g.height + 'px';
        }
    }

    private updateTile(tile: Tile): void {
        let v = this.tileViews.get(tile.id);
        const p = tile.participant;
        if (!v) {
            const name = h('span', { class: 'name' });
            const mic = h('span', { class: 'mic' });
            const hand = h('div', { class: 'hand', title: this.t('raiseHand') }, svg(icons.hand));
            const avatar = h('div', { class: 'avatar' });
            const el = h(
                'div',
                { class: 'tile', 'data-tile': tile.id, 'data-type': tile.type, 'data-local': String(tile.local) },
                tile.video,
                avatar,
                hand,
                h('div', { class: 'nametag' }, mic, name)
            );
            if (this.host.opt('streamSettingsButton') && !this.host.opt('minimal')) {
                el.appendChild(this.iconButton('more', this.t('more'), (ev) => this.openTileMenu(tile, ev.currentTarget as HTMLElement), { small: true, cls: 'tile-menu-btn' }));
            }
            if (tile.local && tile.type === 'SCREEN') {
                el.appendChild(
                    h(
                        'div',
                        { class: 'presenting' },
                        svg(icons.screen),
                        h('span', null, this.t('youArePresenting')),
                        h('button', { class: 'primary small', onclick: () => this.toggleScreen() }, this.t('stopShare'))
                    )
                );
            }
            el.addEventListener('dblclick', () => this.togglePin(tile.id));
            v = { el, name, mic, hand, avatar };
            this.tileViews.set(tile.id, v);
        }
        const showName = this.host.opt('streamDisplayParticipantName');
        const label = tile.type === 'SCREEN' ? `${p.local ? this.t('you') : p.nickname} · ${this.t('presenting')}` : p.local ? `${p.nickname} (${this.t('you')})` : p.nickname;
        v.name.textContent = label;
        (v.name.parentElement as HTMLElement).hidden = !showName && tile.audioActive;
        v.name.hidden = !showName;
        fill(v.mic, tile.type === 'CAMERA' && !tile.audioActive ? svg(icons.micOff, 'icon muted') : p.mutedLocally ? svg(icons.volumeOff, 'icon muted') : null);
        v.hand.hidden = !(p.handRaised && tile.type === 'CAMERA');
        toggle(v.el, 'novideo', !tile.videoActive);
        toggle(v.el, 'screen', tile.type === 'SCREEN');
        if (!tile.videoActive) fill(v.avatar, this.avatar(p.nickname, ''));
    }

    private renderSpeaking(): void {
        const show = this.host.opt('streamDisplayAudioDetection');
        for (const tile of this.call.tiles.values()) {
            const v = this.tileViews.get(tile.id);
            if (!v) continue;
            toggle(v.el, 'speaking', !!show && tile.type === 'CAMERA' && tile.participant.speaking && tile.audioActive);
        }
    }

    private togglePin(id: string): void {
        this.pinned = this.pinned === id ? '' : id;
        this.renderTiles();
    }

    private openTileMenu(tile: Tile, anchor: HTMLElement): void {
        const t = this.t;
        const p = tile.participant;
        const items: [IconName, string, () => void][] = [['pin', this.pinned === tile.id ? t('unpin') : t('pin'), () => this.togglePin(tile.id)]];
        if (!tile.local) items.push([p.mutedLocally ? 'volume' : 'volumeOff', p.mutedLocally ? t('unmuteLocal') : t('muteLocal'), () => this.call.setMutedLocally(p, !p.mutedLocally)]);
        items.push(['fullscreen', t('fullscreen'), () => void this.tileViews.get(tile.id)?.el.requestFullscreen?.().catch(() => {})]);
        this.openMenu(anchor, items, 'below');
    }

    // ---- toolbar -----------------------------------------------------------

    private renderToolbar(): void {
        if (this.phase !== 'room') return;
        const t = this.t;
        const o = (k: string) => this.host.opt(k);
        const call = this.call;
        const minimal = !!o('minimal');
        const moderator = call.local.role === 'MODERATOR';
        const micOn = call.audioEnabled && call.hasAudio();
        const camOn = call.videoEnabled && call.hasVideo();
        const sharing = call.isSharingScreen();
        const fullscreen = document.fullscreenElement === this.host.element;

        const left = h(
            'div',
            { class: 'side left' },
            h(
                'div',
                { class: 'brand' },
                o('toolbarDisplayLogo') && !minimal ? h('span', { class: 'logo', id: 'branding-logo' }, svg(icons.logo, 'logo')) : null,
                o('toolbarDisplaySessionName') && !minimal ? h('span', { class: 'session', id: 'session-name' }, this.host.sessionName()) : null
            ),
            call.recording ? h('span', { class: 'rec', id: 'recording-tag' }, 'REC') : null,
            call.broadcasting ? h('span', { class: 'rec' }, 'LIVE') : null
        );

        const center = h('div', { class: 'center' });
        center.append(
            this.iconButton(micOn ? 'mic' : 'micOff', micOn ? t('micOn') : t('micOff'), () => this.toggleMic(), { off: !micOn, id: 'mic-btn' }),
            this.iconButton(camOn ? 'cam' : 'camOff', camOn ? t('camOn') : t('camOff'), () => void this.toggleCam(), { off: !camOn, id: 'camera-btn' })
        );
        if (!minimal && o('toolbarScreenshareButton') && call.canShareScreen()) {
            center.append(
                this.iconButton(sharing ? 'screenStop' : 'screen', sharing ? t('stopShare') : t('share'), () => this.toggleScreen(), { on: sharing, id: 'screenshare-btn', cls: 'hide-narrow' })
            );
        }
        if (!minimal) {
            center.append(
                this.iconButton('hand', call.local.handRaised ? t('lowerHand') : t('raiseHand'), () => void call.setHandRaised(!call.local.handRaised), {
                    raised: call.local.handRaised,
                    id: 'raise-hand-btn'
                })
            );
        }
        if (!minimal && o('toolbarFullscreenButton')) {
            center.append(
                this.iconButton(fullscreen ? 'exitFullscreen' : 'fullscreen', fullscreen ? t('exitFullscreen') : t('fullscreen'), () => this.toggleFullscreen(), { id: 'fullscreen-btn', cls: 'hide-narrow' })
            );
        }
        const menu = this.moreMenuItems(moderator);
        if (!minimal && menu.length > 0) {
            center.append(this.iconButton('more', t('more'), (ev) => this.openMenu(ev.currentTarget as HTMLElement, menu, 'above'), { id: 'more-options-btn' }));
        }
        if (o('toolbarLeaveButton')) {
            center.append(this.iconButton('leave', t('leave'), () => this.host.leave(), { cls: 'leave', id: 'leave-btn' }));
        }

        const right = h('div', { class: 'side right' }, h('slot', { name: 'toolbar-additional-buttons' }));
        if (!minimal && o('toolbarParticipantsPanelButton')) {
            const b = this.iconButton('users', t('participants'), () => this.togglePanel('participants'), { on: this.panel === 'participants', id: 'participants-panel-btn' });
            b.append(h('span', { class: 'badge count' }, String(call.participants.size || 1)));
            right.append(b);
        }
        if (!minimal && o('toolbarChatPanelButton')) {
            const b = this.iconButton('chat', t('chat'), () => this.togglePanel('chat'), { on: this.panel === 'chat', id: 'chat-panel-btn' });
            if (this.unread > 0) b.append(h('span', { class: 'badge', id: 'chat-unread' }, String(Math.min(this.unread, 99))));
            right.append(b);
        }
        if (!minimal && o('toolbarActivitiesPanelButton') && (o('activitiesPanelRecordingActivity') || o('activitiesPanelBroadcastingActivity'))) {
            right.append(this.iconButton('activity', t('activities'), () => this.togglePanel('activities'), { on: this.panel === 'activities', id: 'activities-panel-btn', cls: 'hide-narrow' }));
        }
        fill(this.toolbarEl, left, center, right);
    }

    private moreMenuItems(moderator: boolean): [IconName, string, () => void][] {
        const t = this.t;
        const o = (k: string) => this.host.opt(k);
        const items: [IconName, string, () => void][] = [];
        if (o('toolbarSettingsButton')) items.push(['settings', t('settings'), () => this.togglePanel('settings', true)]);
        if (o('toolbarRecordingButton') && moderator) {
            items.push(
                this.call.recording
                    ? ['record', t('stopRecording'), () => this.host.emit('onToolbarStopRecordingClicked')]
                    : ['record', t('startRecording'), () => this.host.emit('onToolbarStartRecordingClicked')]
            );
        }
        if (o('toolbarBroadcastingButton') && moderator) {
            items.push(
                this.call.broadcasting
                    ? ['broadcast', t('stopBroadcast'), () => this.host.emit('onToolbarStopBroadcastingClicked')]
                    : ['broadcast', t('startBroadcast'), () => this.host.emit('onToolbarStartBroadcastingClicked')]
            );
        }
        return items;
    }

    private toggleMic(): void {
        if (this.phase === 'room') this.host.emit('onToolbarMicrophoneButtonClicked');
        if (!this.call.hasAudio()) {
            const mic = this.call.microphones()[0];
            if (mic) void this.call.switchDevice('audioinput', mic.deviceId).then(() => this.call.setAudioEnabled(true)).catch((e) => this.showError(e));
            else this.showToast({ key: 'deviceLost', vars: { device: this.t('microphone').toLowerCase() }, action: 'settings' });
            return;
        }
        this.call.setAudioEnabled(!this.call.audioEnabled);
    }

    private async toggleCam(): Promise<void> {
        if (this.phase === 'room') this.host.emit('onToolbarCameraButtonClicked');
        if (!this.call.hasVideo()) {
            const cam = this.call.cameras()[0];
            if (cam) await this.call.switchDevice('videoinput', cam.deviceId).then(() => this.call.setVideoEnabled(true)).catch((e) => this.showError(e));
            else this.showToast({ key: 'deviceLost', vars: { device: this.t('camera').toLowerCase() }, action: 'settings' });
            return;
        }
        await this.call.setVideoEnabled(!this.call.videoEnabled);
    }

    private toggleScreen(): void {
        this.host.emit('onToolbarScreenshareButtonClicked');
        if (this.call.isSharingScreen()) void this.call.stopScreenShare();
        else void this.call.startScreenShare().then(() => this.renderToolbar());
    }

    private toggleFullscreen(): void {
        this.host.emit('onToolbarFullscreenButtonClicked');
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
        else void this.host.element.requestFullscreen?.().catch(() => {});
    }

    private togglePanel(name: PanelName, fromMenu = false): void {
        const events: Record<PanelName, EventName | undefined> = {
            chat: 'onToolbarChatPanelButtonClicked',
            participants: 'onToolbarParticipantsPanelButtonClicked',
            activities: 'onToolbarActivitiesPanelButtonClicked',
            settings: undefined
        };
        const ev = events[name];
        if (ev && !fromMenu) this.host.emit(ev);
        this.panel = this.panel === name ? null : name;
        if (this.panel === 'chat') {
            this.unread = 0;
            for (const el of this.toastsEl.querySelectorAll('[data-kind=newMessage]')) el.remove();
        }
        if (this.panel === 'activities') this.host.emit('onActivitiesPanelForceRecordingUpdate');
        this.renderPanel();
        this.renderToolbar();
        requestAnimationFrame(() => this.layout());
    }

    // ---- panels ------------------------------------------------------------

    private renderPanel(): void {
        const name = this.panel;
        this.panelEl.hidden = !name;
        if (!name) return;
        const t = this.t;
        const titles: Record<PanelName, string> = { chat: t('chat'), participants: t('participants'), settings: t('settings'), activities: t('activities') };
        const head = h('div', { class: 'panel-head' }, h('h3', null, titles[name]), this.iconButton('close', t('close'), () => this.togglePanel(name, true), { small: true, cls: 'ghost' }));
        this.panelEl.id = name + '-panel';
        if (name === 'chat') fill(this.panelEl, head, ...this.chatPanel());
        else if (name === 'participants') fill(this.panelEl, head, h('div', { class: 'panel-body' }, this.participantsPanel()));
        else if (name === 'settings') fill(this.panelEl, head, h('div', { class: 'panel-body' }, this.settingsPanel()));
        else fill(this.panelEl, head, h('div', { class: 'panel-body' }, this.activitiesPanel()));
    }

    /** The composer survives re-renders: a message arriving must not wipe what is being typed. */
    private composer?: { el: HTMLElement; input: HTMLInputElement };

    private chatPanel(): HTMLElement[] {
        const t = this.t;
        const list = h('div', { class: 'messages', id: 'chat-messages' });
        if (this.call.messages.length === 0) list.append(h('div', { class: 'empty' }, t('noMessages')));
        let prev = '';
        for (const m of this.call.messages) {
            const same = prev === m.connectionId;
            prev = m.connectionId;
            list.append(h('div', { class: 'msg' + (m.local ? ' local' : '') }, same ? null : h('span', { class: 'who' }, m.local ? t('you') : m.nickname), h('div', { class: 'bubble' }, m.message)));
        }
        if (!this.composer) {
            const input = h('input', { type: 'text', id: 'chat-input', placeholder: t('typeMessage'), maxlength: 2000, autocomplete: 'off' });
            const send = () => {
                const text = input.value;
                if (!text.trim()) return;
                input.value = '';
                void this.call.sendChat(text).catch((e) => this.showError(e));
                input.focus();
            };
            input.addEventListener('keydown', (e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    send();
                }
            });
            this.composer = { el: h('div', { class: 'composer' }, input, this.iconButton('send', t('send'), send, { id: 'send-btn' })), input };
        }
        const { el, input } = this.composer;
        const focused = this.shadow.activeElement === input;
        requestAnimationFrame(() => {
            list.scrollTop = list.scrollHeight;
            if (this.panel === 'chat' && (focused || !this.shadow.activeElement)) input.focus();
        });
        return [list, el];
    }

    private participantsPanel(): HTMLElement[] {
        const t = this.t;
        const people = Array.from(this.call.participants.values()).sort((a, b) => Number(b.local) - Number(a.local) || a.nickname.localeCompare(b.nickname));
        if (people.length === 0) people.push(this.call.local);
        return people.map((p) => {
            const cam = Array.from(this.call.tiles.values()).find((x) => x.participant === p && x.type === 'CAMERA');
            const micOff = cam ? !cam.audioActive : true;
            const state = h('div', { class: 'state' }, p.handRaised ? svg(icons.hand, 'icon hand-i') : null, svg(micOff ? icons.micOff : icons.mic, micOff ? 'icon muted' : 'icon'));
            const mute =
                !p.local && this.host.opt('participantPanelItemMuteButton')
                    ? this.iconButton(p.mutedLocally ? 'volumeOff' : 'volume', p.mutedLocally ? t('unmuteLocal') : t('muteLocal'), () => this.call.setMutedLocally(p, !p.mutedLocally), {
                          small: true,
                          cls: 'ghost',
                          off: p.mutedLocally
                      })
                    : null;
            const sub = p.local && p.role === 'MODERATOR' ? t('moderator') : '';
            return h(
                'div',
                { class: 'person', 'data-participant': p.id },
                this.avatar(p.nickname, 'avatar-sm'),
                h('div', { class: 'who' }, h('b', null, p.local ? `${p.nickname} (${t('you')})` : p.nickname), sub ? h('small', null, sub) : null),
                state,
                mute
            );
        });
    }

    private settingsPanel(): HTMLElement[] {
        const t = this.t;
        const out: HTMLElement[] = [this.deviceSelect('videoinput', t('camera'), 'settings-camera'), this.deviceSelect('audioinput', t('microphone'), 'settings-microphone')];
        const langs = this.host.langOptions();
        if (langs.length > 1) {
            const current = String(this.host.opt('lang') || 'en');
            const select = h(
                'select',
                {
                    id: 'lang-select',
                    onchange: (e: Event) => {
                        const l = langs.find((x) => x.lang === (e.target as HTMLSelectElement).value);
                        if (l) this.host.setLang(l);
                    }
                },
                langs.map((l) => h('option', { value: l.lang, selected: l.lang === current }, l.name))
            );
            out.push(h('label', { class: 'field' }, t('language'), select));
        }
        return out;
    }

    private activitiesPanel(): HTMLElement[] {
        const t = this.t;
        const o = (k: string) => this.host.opt(k);
        const moderator = this.call.local.role === 'MODERATOR';
        const out: HTMLElement[] = [];
        if (o('activitiesPanelRecordingActivity')) {
            out.push(h('div', { class: 'section-title' }, t('recording')));
            if (moderator) {
                out.push(
                    this.call.recording
                        ? h('button', { class: 'primary', onclick: () => this.host.emit('onActivitiesPanelStopRecordingClicked') }, svg(icons.record), t('stopRecording'))
                        : h('button', { class: 'primary', onclick: () => this.host.emit('onActivitiesPanelStartRecordingClicked') }, svg(icons.record), t('startRecording'))
                );
            }
            const err = o('recordingActivityRecordingError');
            if (err) out.push(h('div', { class: 'alert' }, svg(icons.alert), h('div', null, describe(err))));
            const list: any[] = Array.isArray(o('recordingActivityRecordingsList')) ? o('recordingActivityRecordingsList') : [];
            out.push(
                h(
                    'div',
                    { class: 'section-title', style: { display: 'flex', justifyContent: 'space-between', alignItems: 'center' } },
                    t('recordings'),
                    this.iconButton('refresh', t('refresh'), () => this.host.emit('onActivitiesPanelForceRecordingUpdate'), { small: true, cls: 'ghost' })
                )
            );
            if (list.length === 0) out.push(h('div', { class: 'empty' }, t('noRecordings')));
            for (const r of list) {
                const id = String(r?.id ?? r);
                out.push(
                    h(
                        'div',
                        { class: 'rec-item' },
                        h('span', { class: 'who', title: id }, String(r?.name || id)),
                        this.iconButton('play', t('play'), () => this.host.emit('onActivitiesPanelPlayRecordingClicked', id), { small: true, cls: 'ghost' }),
                        this.iconButton('download', t('download'), () => this.host.emit('onActivitiesPanelDownloadRecordingClicked', id), { small: true, cls: 'ghost' }),
                        moderator ? this.iconButton('trash', t('delete'), () => this.host.emit('onActivitiesPanelDeleteRecordingClicked', id), { small: true, cls: 'ghost' }) : null
                    )
                );
            }
        }
        if (o('activitiesPanelBroadcastingActivity')) {
            out.push(h('div', { class: 'section-title' }, t('broadcasting')));
            const url = h('input', { type: 'url', placeholder: 'rtmp://…', id: 'broadcast-url' });
            if (moderator) {
                out.push(
                    this.call.broadcasting
                        ? h('button', { class: 'primary', onclick: () => this.host.emit('onActivitiesPanelStopBroadcastingClicked') }, t('stopBroadcast'))
                        : h(
                              'div',
                              { class: 'row', style: { display: 'flex', flexDirection: 'column', gap: '8px' } },
                              h('label', { class: 'field' }, t('broadcastUrl'), url),
                              h('button', { class: 'primary', onclick: () => url.value.trim() && this.host.emit('onActivitiesPanelStartBroadcastingClicked', url.value.trim()) }, t('startBroadcast'))
                          )
                );
            }
            const err = o('broadcastingActivityBroadcastingError');
            if (err) out.push(h('div', { class: 'alert' }, svg(icons.alert), h('div', null, describe(err))));
        }
        return out;
    }

    // ---- small pieces ------------------------------------------------------

    private iconButton(
        icon: IconName,
        label: string,
        onClick: (e: MouseEvent) => void,
        o: { off?: boolean; on?: boolean; raised?: boolean; small?: boolean; cls?: string; id?: string } = {}
    ): HTMLButtonElement {
        const cls = ['btn', o.off && 'off', o.on && 'on', o.raised && 'raised', o.small && 'small', o.cls].filter(Boolean).join(' ');
        return h('button', { class: cls, title: label, 'aria-label': label, id: o.id, onclick: onClick }, svg(icons[icon]));
    }

    private avatar(name: string, cls: string): HTMLElement {
        const hue = hueOf(name);
        const bg = `linear-gradient(135deg, hsl(${hue} 55% 52%), hsl(${(hue + 40) % 360} 60% 40%))`;
        if (cls === 'avatar-sm') return h('div', { class: 'avatar-sm', style: { background: bg } }, initials(name));
        return h('div', { class: 'avatar' }, h('span', { style: { background: bg } }, initials(name)));
    }

    private openMenu(anchor: HTMLElement, items: [IconName, string, () => void][], where: 'above' | 'below'): void {
        const wasOpen = this.menuEl && this.menuEl.dataset.anchor === anchor.id && anchor.id;
        this.closeMenu();
        if (wasOpen) return;
        const menu = h(
            'div',
            { class: 'menu', role: 'menu', 'data-anchor': anchor.id },
            items.map(([icon, label, fn]) =>
                h(
                    'button',
                    {
                        role: 'menuitem',
                        onclick: () => {
                            this.closeMenu();
                            fn();
                        }
                    },
                    svg(icons[icon]),
                    label
                )
            )
        );
        this.root.appendChild(menu);
        this.menuEl = menu;
        const a = anchor.getBoundingClientRect();
        const r = this.root.getBoundingClientRect();
        const mw = menu.offsetWidth;
        const left = Math.min(Math.max(8, a.left - r.left + a.width / 2 - mw / 2), r.width - mw - 8);
        menu.style.left = left + 'px';
        if (where === 'above') menu.style.bottom = r.bottom - a.top + 8 + 'px';
        else menu.style.top = a.bottom - r.top + 6 + 'px';
        setTimeout(() => this.root.addEventListener('click', this.outsideClick, { once: true }));
    }

    private outsideClick = (e: Event) => {
        if (this.menuEl && e.composedPath().includes(this.menuEl)) {
            this.root.addEventListener('click', this.outsideClick, { once: true });
            return;
        }
        this.closeMenu();
    };

    private closeMenu(): void {
        this.root?.removeEventListener('click', this.outsideClick);
        this.root?.querySelector('.menu')?.remove();
        this.menuEl = null;
    }

    showToast(toast: Toast): void {
        if (toast.key === 'newMessage' && this.panel === 'chat') return;
        const t = this.t;
        const vars = { ...toast.vars };
        if (toast.key === 'deviceLost' && vars.device) vars.device = vars.device === 'camera' ? t('camera').toLowerCase() : vars.device === 'microphone' ? t('microphone').toLowerCase() : vars.device;
        const icon: IconName = toast.key === 'newMessage' ? 'chat' : toast.key === 'handRaised' ? 'hand' : toast.key === 'joined' || toast.key === 'left' ? 'users' : 'alert';
        const el = h(
            'div',
            {
                class: 'toast' + (toast.action ? ' clickable' : ''),
                'data-kind': toast.key,
                onclick: () => {
                    el.remove();
                    if (toast.action === 'chat' && this.panel !== 'chat') this.togglePanel('chat', true);
                    if (toast.action === 'settings' && this.panel !== 'settings' && this.phase === 'room') this.togglePanel('settings', true);
                }
            },
            svg(icons[icon]),
            h('span', null, t(toast.key, vars))
        );
        this.toastsEl.appendChild(el);
        while (this.toastsEl.children.length > 3) this.toastsEl.firstElementChild?.remove();
        setTimeout(() => el.remove(), toast.key.startsWith('err') || toast.key === 'deviceLost' ? 7000 : 4000);
    }

    private showError(e: any): void {
        this.toastsEl.appendChild(h('div', { class: 'toast' }, svg(icons.alert), h('span', null, String(e?.message ?? e))));
    }
}

function describe(v: unknown): string {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && 'message' in (v as any)) return String((v as any).message);
    try {
        return JSON.stringify(v);
    } catch {
        return String(v);
    }
}

function safeStorage(key: string): string {
    try {
        return localStorage.getItem(key) ?? '';
    } catch {
        return '';
    }
}

// The call app at / (and /room/NAME, /?room=NAME): our <openvidu-webcomponent>
// with a room field in its prejoin and an invite-link button in its toolbar,
// fed with tokens by govidu's built-in app server (/call/api, internal/callapp).

import '../webcomponent/index.js';
import { roomId } from '../webcomponent/layout.js';
import { randomRoom, roomFromLocation } from './route.js';
import { appStyles } from './styles.js';

interface SessionAnswer {
    sessionId: string;
    cameraToken: string;
    screenToken: string;
    role: string;
}

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string
    ) {
        super(message);
    }
}

const AUTH_KEY = 'govidu-call-auth';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.append(...children);
    return e;
}

function credentials(): string {
    try {
        return sessionStorage.getItem(AUTH_KEY) ?? '';
    } catch {
        return '';
    }
}

function saveCredentials(basic: string): void {
    try {
        if (basic) sessionStorage.setItem(AUTH_KEY, basic);
        else sessionStorage.removeItem(AUTH_KEY);
    } catch {
        // storage blocked: the user signs in again next time
    }
}

async function api<T>(method: string, path: string, body?: unknown, basic = credentials()): Promise<T> {
    let resp: Response;
    try {
        resp = await fetch(path, {
            method,
            headers: { 'Content-Type': 'application/json', ...(basic ? { Authorization: 'Basic ' + basic } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
            cache: 'no-store'
        });
    } catch {
        throw new HttpError(0, 'The server cannot be reached. Check your connection and try again.');
    }
    let data: any = {};
    try {
        data = await resp.json();
    } catch {
        // an empty or non-JSON body: the status says enough
    }
    if (!resp.ok) {
        const fallback = resp.status === 404 ? 'The call app is not enabled on this server.' : `The server answered ${resp.status}.`;
        throw new HttpError(resp.status, String(data?.message || fallback));
    }
    return data as T;
}

class App {
    private component?: OpenViduWebComponentElement;
    private roomInput = el('input', { type: 'text', id: 'room-name', maxlength: '100', autocomplete: 'off', spellcheck: 'false', placeholder: 'daily-standup' });
    private room = '';
    private privateAccess = false;

    async start(): Promise<void> {
        document.head.append(el('style', {}, appStyles));
        this.room = roomFromLocation(location) || '';
        this.roomInput.value = this.room || randomRoom();
        let config: { privateAccess?: boolean };
        try {
            config = await api<{ privateAccess?: boolean }>('GET', '/call/api/config');
        } catch (e) {
            this.showMessage('Cannot start the call app', (e as Error).message, () => void this.start());
            return;
        }
        this.privateAccess = !!config.privateAccess;
        if (this.privateAccess && !credentials()) this.showLogin('');
        else this.showCall();
    }

    /** A full-page message with a way forward (never a blank page). */
    private showMessage(title: string, text: string, retry?: () => void): void {
        const card = el('div', { class: 'app-card', id: 'app-message' }, el('h1', {}, title), el('p', {}, text));
        if (retry) {
            const b = el('button', { class: 'app-primary' }, 'Try again');
            b.onclick = () => {
                document.body.replaceChildren();
                retry();
            };
            card.append(b);
        }
        document.body.replaceChildren(el('main', { class: 'app-center' }, card));
    }

    private showLogin(error: string): void {
        this.component?.remove();
        this.component = undefined;
        const user = el('input', { type: 'text', id: 'login-user', autocomplete: 'username', required: '' });
        const pass = el('input', { type: 'password', id: 'login-password', autocomplete: 'current-password', required: '' });
        const err = el('p', { class: 'app-error', id: 'login-error' }, error);
        err.hidden = !error;
        const submit = el('button', { class: 'app-primary', type: 'submit', id: 'login-button' }, 'Sign in');
        const form = el(
            'form',
            { class: 'app-card', id: 'login' },
            logo(),
            el('h1', {}, 'Sign in to start a call'),
            el('p', { class: 'app-muted' }, 'This server keeps its video calls private. Use the user and password its administrator set (CALL_USER and CALL_SECRET).'),
            el('label', {}, 'User', user),
            el('label', {}, 'Password', pass),
            err,
            submit
        );
        form.onsubmit = async (e) => {
            e.preventDefault();
            submit.disabled = true;
            const basic = btoa(unescape(encodeURIComponent(user.value + ':' + pass.value)));
            try {
                await api('POST', '/call/api/login', { username: user.value, password: pass.value }, basic);
                saveCredentials(basic);
                this.showCall();
            } catch (ex) {
                err.textContent = ex instanceof HttpError && ex.status === 401 ? 'Wrong user or password.' : (ex as Error).message;
                err.hidden = false;
                submit.disabled = false;
            }
        };
        document.body.replaceChildren(el('main', { class: 'app-center' }, form));
        user.focus();
    }

    private showCall(): void {
        const c = document.createElement('openvidu-webcomponent');
        c.id = 'call';
        c.setAttribute('toolbar-recording-button', 'false');
        c.setAttribute('toolbar-broadcasting-button', 'false');
        c.setAttribute('toolbar-activities-panel-button', 'false');
        const roomLabel = el('label', { slot: 'prejoin-extra', class: 'app-room' }, 'Room', this.roomInput);
        this.roomInput.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') c.shadowRoot?.querySelector<HTMLButtonElement>('#join-button')?.click();
        });
        const invite = el('button', { slot: 'toolbar-additional-buttons', id: 'copy-link', title: 'Copy the invite link' });
        invite.innerHTML =
            '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1"/><path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1"/></svg><span>Invite</span>';
        invite.onclick = () => void this.copyLink(invite);
        c.append(roomLabel, invite);
        c.addEventListener('onJoinButtonClicked', () => void this.getTokens());
        document.body.replaceChildren(c);
        this.component = c;
    }

    private async getTokens(): Promise<void> {
        const c = this.component;
        if (!c) return;
        const room = roomId(this.roomInput.value);
        if (!room) {
            c.tokenError = 'Choose a room name: letters, digits and dashes.';
            this.roomInput.focus();
            return;
        }
        this.roomInput.value = room;
        try {
            const answer = await api<SessionAnswer>('POST', '/call/api/sessions', { sessionId: room, nickname: c.participantName || 'Guest' });
            this.room = answer.sessionId;
            history.replaceState(null, '', '/room/' + encodeURIComponent(this.room));
            document.title = `${this.room} · govidu call`;
            c.tokens = { webcam: answer.cameraToken, screen: answer.screenToken };
        } catch (e) {
            if (e instanceof HttpError && e.status === 401 && this.privateAccess) {
                saveCredentials('');
                this.showLogin('Your sign-in is no longer valid. Sign in again.');
                return;
            }
            c.tokenError = (e as Error).message;
        }
    }

    private async copyLink(button: HTMLButtonElement): Promise<void> {
        const link = `${location.origin}/room/${encodeURIComponent(this.room || roomId(this.roomInput.value))}`;
        const label = button.querySelector('span');
        try {
            await navigator.clipboard.writeText(link);
            if (label) label.textContent = 'Link copied';
        } catch {
            // No clipboard (insecure origin, denied): show the link to copy by hand.
            window.prompt('Copy the invite link:', link);
        }
        setTimeout(() => label && (label.textContent = 'Invite'), 2500);
    }
}

function logo(): HTMLElement {
    const d = el('div', { class: 'app-logo' });
    d.innerHTML =
        '<svg viewBox="0 0 32 32" width="40" height="40" aria-hidden="true"><rect width="32" height="32" rx="9" fill="#4f6bff"/><rect x="7" y="10" width="12" height="12" rx="3" fill="#fff"/><path d="M19.5 14.5l5.5-3.2v9.4l-5.5-3.2z" fill="#fff"/></svg>';
    return d;
}

if (typeof document !== 'undefined') {
    const run = () => void new App().start();
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
    else run();
}

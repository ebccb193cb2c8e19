// SignalClient: JSON-RPC over one WebSocket with OpenVidu's keepalive and
// re-dial behaviour. It knows nothing of sessions: the Session decides what
// to send after a re-dial (the `connect` request) and what notifications mean.

import { decodeFrame, encodeRequest } from './jsonrpc.js';

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
    readonly readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
    onopen: ((ev: any) => void) | null;
    onclose: ((ev: any) => void) | null;
    onerror: ((ev: any) => void) | null;
    onmessage: ((ev: { data: any }) => void) | null;
}

export interface SignalClientOptions {
    /** ws[s]://host/openvidu?sessionId=... */
    url: string;
    socketFactory?: (url: string) => SocketLike;
    requestTimeout?: number;
    pingInterval?: number;
    pingTimeout?: number;
    redialInterval?: number;
    maxRedials?: number;
    onNotification: (method: string, params: Record<string, any>) => void;
    /** The socket dropped or a ping failed; re-dialing starts. Called once per loss. */
    onConnectionLost: () => void;
    /** A re-dialed socket is open; the owner must send `connect` and then call startPings(). */
    onReopened: () => void;
    /** Re-dialing gave up after maxRedials attempts. */
    onGiveUp: () => void;
}

/** Close codes openvidu-browser uses. */
export const CloseCode = {
    ClientClosed: 4102,
    ReconnectionFault: 4101,
    ForReconnection: 4104
} as const;

type Pending = { resolve: (v: any) => void; reject: (e: any) => void; timer: ReturnType<typeof setTimeout> };

type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export class SignalClient {
    private readonly opts: Required<Omit<SignalClientOptions, 'socketFactory'>> & { socketFactory: (url: string) => SocketLike };
    private ws: SocketLike | null = null;
    private state: State = 'idle';
    private nextId = 0;
    private pending = new Map<string, Pending>();
    private pingTimer: ReturnType<typeof setInterval> | null = null;
    private pingsSent = 0;
    private redialTimer: ReturnType<typeof setTimeout> | null = null;
    private redials = 0;

    constructor(opts: SignalClientOptions) {
        // Options left undefined take the defaults (a spread would let them override).
        this.opts = {
            ...opts,
            requestTimeout: opts.requestTimeout ?? 10000,
            pingInterval: opts.pingInterval ?? 5000,
            pingTimeout: opts.pingTimeout ?? 5000,
            redialInterval: opts.redialInterval ?? 3000,
            maxRedials: opts.maxRedials ?? 2000,
            socketFactory: opts.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike)
        };
    }

    get isOpen(): boolean {
        return this.state === 'open';
    }

    get isClosed(): boolean {
        return this.state === 'closed';
    }

    /** Opens the first socket and starts pinging. Rejects if that socket cannot be opened. */
    open(): Promise<void> {
        if (this.state !== 'idle') return Promise.reject(new Error('SignalClient already opened'));
        this.state = 'connecting';
        return new Promise((resolve, reject) => {
            const ws = this.opts.socketFactory(this.opts.url);
            this.ws = ws;
            let opened = false;
            ws.onopen = () => {
                opened = true;
                this.state = 'open';
                this.attach(ws);
                this.startPings();
                resolve();
            };
            ws.onerror = () => {};
            ws.onclose = (ev) => {
                if (opened) return;
                this.state = 'closed';
                this.ws = null;
                reject(new Error(`Could not open the signaling WebSocket ${this.opts.url} (close code ${ev?.code ?? 'unknown'})`));
            };
        });
    }

    /** Sends a request; resolves with its result, rejects with RpcError or a timeout Error. */
    request<T = any>(method: string, params?: object): Promise<T> {
        if (this.state !== 'open' || !this.ws) {
            return Promise.reject(new Error(`Cannot send '${method}': the signaling connection is not open`));
        }
        const id = this.nextId++;
        const ws = this.ws;
        return new Promise<T>((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(String(id));
                reject(new Error('Request has timed out'));
            }, method === 'ping' ? this.opts.pingTimeout : this.opts.requestTimeout);
            this.pending.set(String(id), { resolve, reject, timer });
            try {
                ws.send(encodeRequest(id, method, params));
            } catch (e) {
                clearTimeout(timer);
                this.pending.delete(String(id));
                reject(e);
            }
        });
    }

    /** (Re)starts the keepalive: one ping now carrying the interval, then one per interval. */
    startPings(): void {
        this.stopPings();
        this.pingsSent = 0;
        const ping = () => {
            const params = this.pingsSent === 0 ? { interval: this.opts.pingInterval } : undefined;
            this.pingsSent++;
            this.request('ping', params).catch(() => this.lose());
        };
        ping();
        this.pingTimer = setInterval(ping, this.opts.pingInterval);
    }

    /** Closes for good (no re-dial). Pending requests are rejected. */
    close(code: number = CloseCode.ClientClosed, reason = 'Connection closed by client'): void {
        if (this.state === 'closed') return;
        this.state = 'closed';
        this.stopPings();
        if (this.redialTimer) clearTimeout(this.redialTimer);
        this.redialTimer = null;
        this.failPending(new Error('The signaling connection was closed'));
        const ws = this.ws;
        this.ws = null;
        if (ws) {
            ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
            try {
                ws.close(code, reason);
            } catch {
                // already closed
            }
        }
    }

    /** Drops the socket as if the network had failed (also used when a ping fails). */
    lose(): void {
        if (this.state !== 'open') return;
        this.state = 'reconnecting';
        this.stopPings();
        this.failPending(new Error('The signaling connection was lost'));
        const ws = this.ws;
        this.ws = null;
        if (ws) {
            ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
            try {
                ws.close(CloseCode.ForReconnection, 'Connection closed for reconnection');
            } catch {
                // already closed
            }
        }
        this.redials = 0;
        this.opts.onConnectionLost();
        if (this.state === 'reconnecting') this.redial();
    }

    private redial(): void {
        if (this.state !== 'reconnecting') return;
        if (this.redials >= this.opts.maxRedials) {
            this.close(CloseCode.ReconnectionFault, 'Reconnection fault: gave up');
            this.opts.onGiveUp();
            return;
        }
        this.redials++;
        const url = this.opts.url + (this.opts.url.includes('?') ? '&' : '?') + 'reconnect=true';
        let ws: SocketLike;
        try {
            ws = this.opts.socketFactory(url);
        } catch {
            this.redialTimer = setTimeout(() => this.redial(), this.opts.redialInterval);
            return;
        }
        this.ws = ws;
        let opened = false;
        ws.onerror = () => {};
        ws.onopen = () => {
            if (this.state !== 'reconnecting') {
                ws.close(CloseCode.ClientClosed, 'Connection closed by client');
                return;
            }
            opened = true;
            this.state = 'open';
            this.attach(ws);
            this.opts.onReopened();
        };
        ws.onclose = () => {
            if (opened || this.ws !== ws) return;
            this.ws = null;
            this.redialTimer = setTimeout(() => this.redial(), this.opts.redialInterval);
        };
    }

    private attach(ws: SocketLike): void {
        ws.onmessage = (ev) => this.onFrame(typeof ev.data === 'string' ? ev.data : String(ev.data));
        ws.onclose = () => {
            if (this.ws === ws) this.lose();
        };
        ws.onerror = () => {};
    }

    private onFrame(text: string): void {
        const msg = decodeFrame(text);
        switch (msg.kind) {
            case 'invalid':
                console.warn('OpenVidu: dropped an invalid JSON-RPC frame (' + msg.reason + '): ' + text.slice(0, 200));
                return;
            case 'notification':
                try {
                    this.opts.onNotification(msg.method, msg.params);
                } catch (e) {
                    console.error(`OpenVidu: error handling '${msg.method}'`, e);
                }
                return;
            case 'response': {
                const p = this.pending.get(String(msg.id));
                if (!p) return;
                this.pending.delete(String(msg.id));
                clearTimeout(p.timer);
                if (msg.error) p.reject(msg.error);
                else p.resolve(msg.result);
            }
        }
    }

    private stopPings(): void {
        if (this.pingTimer) clearInterval(this.pingTimer);
        this.pingTimer = null;
    }

    private failPending(err: Error): void {
        const all = [...this.pending.values()];
        this.pending.clear();
        for (const p of all) {
            clearTimeout(p.timer);
            p.reject(err);
        }
    }
}


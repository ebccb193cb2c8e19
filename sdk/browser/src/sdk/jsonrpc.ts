// JSON-RPC 2.0 framing as the OpenVidu signaling speaks it: one object per
// WebSocket text frame, integer ids, notifications without id.

/** An error answered by the server; `code` and `message` as sent (plus `data` if any). */
export class RpcError extends Error {
    code: number;
    data?: unknown;
    constructor(code: number, message: string, data?: unknown) {
        super(message);
        this.name = 'RpcError';
        this.code = code;
        if (data !== undefined) this.data = data;
    }
}

export type Incoming =
    | { kind: 'response'; id: number | string; result?: unknown; error?: RpcError }
    | { kind: 'notification'; method: string; params: Record<string, any> }
    | { kind: 'invalid'; reason: string };

export function encodeRequest(id: number, method: string, params?: object): string {
    const msg: Record<string, unknown> = { jsonrpc: '2.0', method, id };
    if (params !== undefined) msg.params = params;
    return JSON.stringify(msg);
}

/**
 * Classifies one incoming frame. A frame with a method is a notification
 * (the server never expects answers from us); otherwise it is a response and
 * needs an id and exactly one of result and error.
 */
export function decodeFrame(text: string): Incoming {
    let msg: any;
    try {
        msg = JSON.parse(text);
    } catch {
        return { kind: 'invalid', reason: 'not JSON' };
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { kind: 'invalid', reason: 'not an object' };
    if (msg.jsonrpc !== '2.0') return { kind: 'invalid', reason: 'jsonrpc is not "2.0"' };
    if (typeof msg.method === 'string') {
        const params = msg.params !== null && typeof msg.params === 'object' ? msg.params : {};
        return { kind: 'notification', method: msg.method, params };
    }
    if (msg.id === undefined || msg.id === null) return { kind: 'invalid', reason: 'response without id' };
    const hasResult = msg.result !== undefined;
    // `"error": null` next to a result is tolerated (upstream drops such
    // frames and times out; we take the result).
    const hasError = msg.error !== undefined && msg.error !== null;
    if (!hasResult && !hasError) return { kind: 'invalid', reason: 'response without result or error' };
    if (hasResult && hasError) return { kind: 'invalid', reason: 'response with both result and error' };
    if (hasError) {
        const e = msg.error;
        const code = typeof e.code === 'number' ? e.code : Number(e.code) || 0;
        const message = typeof e.message === 'string' ? e.message : JSON.stringify(e);
        return { kind: 'response', id: msg.id, error: new RpcError(code, message, e.data) };
    }
    return { kind: 'response', id: msg.id, result: msg.result };
}

// Tokens are URLs: ws[s]://host[:port][/path]?sessionId=S&token=tok_...
// The SDK keeps only scheme and host and talks to <scheme>://<host>/openvidu.

export interface TokenParams {
    /** The OpenVidu session id from the query ('' if missing). */
    sessionId: string;
    secret: string;
    recorder: boolean;
    stt: boolean;
    webrtcStatsInterval?: number;
    /** ws[s]://host[:port]/openvidu */
    wsUri: string;
    /** http[s]://host[:port] */
    httpUri: string;
    /** Every query parameter, decoded. */
    query: Record<string, string>;
}

const tokenShape = /^(wss?):\/\/([^/?#:]+(?::\d+)?)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;

/** Parses a token; throws Error('Token not valid: ...') like upstream for anything that is not a ws/wss URL. */
export function parseToken(token: string): TokenParams {
    const m = typeof token === 'string' ? tokenShape.exec(token.trim()) : null;
    if (!m) throw new Error('Token not valid: "' + token + '"');
    const scheme = m[1].toLowerCase();
    const host = m[2];
    const query: Record<string, string> = {};
    for (const part of (m[4] ?? '').slice(1).split('&')) {
        if (!part) continue;
        const eq = part.indexOf('=');
        const key = eq < 0 ? part : part.slice(0, eq);
        const value = eq < 0 ? '' : part.slice(eq + 1);
        query[safeDecode(key)] = safeDecode(value);
    }
    const interval = Number(query.webrtcStatsInterval);
    return {
        sessionId: query.sessionId ?? '',
        secret: query.secret ?? '',
        recorder: !!query.recorder,
        stt: !!query.stt,
        webrtcStatsInterval: Number.isFinite(interval) && query.webrtcStatsInterval ? interval : undefined,
        wsUri: scheme + '://' + host + '/openvidu',
        httpUri: (scheme === 'wss' ? 'https' : 'http') + '://' + host,
        query
    };
}

/** The URL of the signaling WebSocket for a token, as upstream dials it. */
export function signalingUrl(params: TokenParams): string {
    return params.wsUri + (params.sessionId ? '?sessionId=' + encodeURIComponent(params.sessionId) : '');
}

function safeDecode(s: string): string {
    try {
        return decodeURIComponent(s.replace(/\+/g, '%20'));
    } catch {
        return s;
    }
}

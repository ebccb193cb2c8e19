// Which room a URL names, and a friendly name for a new one. Pure.

import { roomId } from '../webcomponent/layout.js';

/** The room named by the URL, if any. */
export function roomFromLocation(loc: Pick<Location, 'pathname' | 'search'>): string {
    const m = /^\/room\/([^/]+)\/?$/.exec(loc.pathname);
    let raw = '';
    try {
        raw = m ? decodeURIComponent(m[1]) : (new URLSearchParams(loc.search).get('room') ?? '');
    } catch {
        raw = '';
    }
    return roomId(raw);
}

const adjectives = ['bright', 'calm', 'clever', 'cosy', 'daring', 'eager', 'gentle', 'happy', 'lively', 'lucky', 'mellow', 'quick', 'sunny', 'swift', 'vivid', 'witty'];
const nouns = ['otter', 'falcon', 'maple', 'river', 'comet', 'harbor', 'meadow', 'pebble', 'canyon', 'lantern', 'orchid', 'summit', 'breeze', 'willow'];

export function randomRoom(): string {
    const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)];
    return `${pick(adjectives)}-${pick(nouns)}-${10 + Math.floor(Math.random() * 90)}`;
}


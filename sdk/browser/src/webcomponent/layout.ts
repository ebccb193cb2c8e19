// Grid geometry: how many columns make N tiles of a given aspect ratio as
// large as possible in a W×H box. Pure, unit-tested.

export interface Grid {
    cols: number;
    rows: number;
    width: number;
    height: number;
}

export function bestGrid(n: number, width: number, height: number, gap = 8, aspect = 16 / 9): Grid {
    if (n <= 0 || width <= 0 || height <= 0) return { cols: 1, rows: 1, width: Math.max(0, width), height: Math.max(0, height) };
    let best: Grid = { cols: 1, rows: n, width: 0, height: 0 };
    for (let cols = 1; cols <= n; cols++) {
        const rows = Math.ceil(n / cols);
        const cellW = (width - gap * (cols - 1)) / cols;
        const cellH = (height - gap * (rows - 1)) / rows;
        if (cellW <= 0 || cellH <= 0) continue;
        // The largest tile of the wanted aspect ratio that fits the cell.
        const w = Math.min(cellW, cellH * aspect);
        const h = w / aspect;
        if (w * h > best.width * best.height) best = { cols, rows, width: Math.floor(w), height: Math.floor(h) };
    }
    return best;
}

/** Initials for an avatar: 'Ada Lovelace' → 'AL', 'bob' → 'B'. */
export function initials(name: string): string {
    const parts = name.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return '?';
    const first = Array.from(parts[0])[0] ?? '';
    const last = parts.length > 1 ? (Array.from(parts[parts.length - 1])[0] ?? '') : '';
    return (first + last).toUpperCase();
}

/** A stable hue (0-359) for a name, so everyone sees the same avatar colour. */
export function hueOf(name: string): number {
    let h = 0;
    for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
    return h;
}

/** A room name typed by a person → a session id ([a-zA-Z0-9_-], at most 100). */
export function roomId(name: string): string {
    return name
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .trim()
        .replace(/\s+/g, '-')
        .replace(/[^a-zA-Z0-9_-]/g, '')
        .replace(/-{2,}/g, '-')
        .slice(0, 100);
}

// A tiny element builder: h('button', { class: 'btn', onclick }, child, ...).

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, any>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    if (attrs) {
        for (const [k, v] of Object.entries(attrs)) {
            if (v === undefined || v === null || v === false) continue;
            if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
            else if (k === 'class') el.className = v;
            else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
            else if (k in el && typeof v !== 'string') (el as any)[k] = v;
            else el.setAttribute(k, v === true ? '' : String(v));
        }
    }
    append(el, children);
    return el;
}

function append(el: Node, children: (Child | Child[])[]): void {
    for (const c of children) {
        if (Array.isArray(c)) append(el, c);
        else if (c !== null && c !== undefined && c !== false) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
}

/** Replaces an element's children. */
export function fill(el: Element | ShadowRoot, ...children: (Child | Child[])[]): void {
    el.replaceChildren();
    append(el, children);
}

/** An inline SVG from trusted markup (our own icons). */
export function svg(markup: string, cls = 'icon'): SVGSVGElement {
    const t = document.createElement('template');
    t.innerHTML = markup.trim();
    const s = t.content.firstElementChild as SVGSVGElement;
    s.setAttribute('class', cls);
    s.setAttribute('aria-hidden', 'true');
    return s;
}

export function toggle(el: Element, cls: string, on: boolean): void {
    el.classList.toggle(cls, on);
}

// A small typed event emitter. Handlers run in registration order; an
// exception in one handler is logged and does not stop the others (nor the
// SDK's own bookkeeping that runs after an emit).

type Listener = { fn: (event: any) => void; once: boolean };

export class Emitter {
    private listeners = new Map<string, Listener[]>();

    add(type: string, fn: (event: any) => void, once: boolean): void {
        const list = this.listeners.get(type) ?? [];
        list.push({ fn, once });
        this.listeners.set(type, list);
    }

    /** Removes one handler, or every handler of the type when fn is omitted. */
    remove(type: string, fn?: (event: any) => void): void {
        if (!fn) {
            this.listeners.delete(type);
            return;
        }
        const list = this.listeners.get(type);
        if (!list) return;
        const i = list.findIndex((l) => l.fn === fn);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.listeners.delete(type);
    }

    count(type: string): number {
        return this.listeners.get(type)?.length ?? 0;
    }

    emit(type: string, event?: unknown): void {
        const list = this.listeners.get(type);
        if (!list) return;
        for (const l of list.slice()) {
            if (l.once) this.remove(type, l.fn);
            try {
                l.fn(event);
            } catch (e) {
                console.error(`OpenVidu: a '${type}' handler threw`, e);
            }
        }
    }
}

/**
 * Base of every object that dispatches events (Session, StreamManager,
 * Publisher, Subscriber). Subclasses narrow `on`/`once`/`off` to their event
 * maps; hooks let them react to a listener being added (speaking detection
 * starts only when someone listens, late `accessAllowed` listeners are called
 * at once, ...).
 */
export abstract class EventDispatcher {
    /** @internal */
    readonly ee = new Emitter();

    /** @internal */
    protected addHandler(type: string, handler: (event: any) => void, once: boolean): this {
        this.ee.add(type, handler, once);
        this.listenerAdded(type, once);
        return this;
    }

    /** @internal */
    protected removeHandler(type: string, handler?: (event: any) => void): this {
        this.ee.remove(type, handler);
        this.listenerRemoved(type);
        return this;
    }

    /** @internal */
    protected listenerAdded(_type: string, _once: boolean): void {}

    /** @internal */
    protected listenerRemoved(_type: string): void {}

    /** @internal Dispatches to the handlers of `type`. */
    emitEvent(type: string, event?: unknown): void {
        this.ee.emit(type, event);
    }
}

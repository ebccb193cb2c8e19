import type { FilterEvent } from './events.js';
import type { Stream } from './Stream.js';

/**
 * A server-side (Kurento) media filter. govidu has no server filters: the
 * requests are sent as upstream sends them and the server refuses them, so
 * every method rejects with the server's error.
 */
export class Filter {
    type: string;
    options: Object;
    lastExecMethod?: { method: string; params: Object };
    handlers = new Map<string, (event: FilterEvent) => void>();
    /** @internal */
    stream!: Stream;

    constructor(type: string, options: Object) {
        this.type = type;
        this.options = options;
    }

    async execMethod(method: string, params: Object): Promise<void> {
        await this.stream.session.request(
            'execFilterMethod',
            { streamId: this.stream.streamId, method, params: JSON.stringify(params ?? {}) },
            'execute a filter method'
        );
        this.lastExecMethod = { method, params };
    }

    async addEventListener(eventType: string, handler: (event: FilterEvent) => void): Promise<void> {
        await this.stream.session.request('addFilterEventListener', { streamId: this.stream.streamId, eventType }, 'add a filter event listener');
        this.handlers.set(eventType, handler);
    }

    async removeEventListener(eventType: string): Promise<void> {
        await this.stream.session.request('removeFilterEventListener', { streamId: this.stream.streamId, eventType }, 'remove a filter event listener');
        this.handlers.delete(eventType);
    }
}

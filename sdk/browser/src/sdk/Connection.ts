import type { LocalConnectionOptions, RemoteConnectionOptions } from './protocol.js';
import type { Session } from './Session.js';
import type { Stream } from './Stream.js';

/** One participant of a Session: our own (`session.connection`) or a remote one. */
export class Connection {
    connectionId: string;
    creationTime: number;
    /** Client data and server data of the participant, `%/%`-separated when both exist. */
    data: string;
    /** Only set for the local connection. */
    role?: string;
    record = true;
    stream?: Stream;
    localOptions: LocalConnectionOptions | undefined;
    remoteOptions: RemoteConnectionOptions | undefined;
    disposed = false;
    /** @internal The RPC session id (local connection only), the key of a reconnection. */
    rpcSessionId = '';
    /** @internal */
    readonly session: Session;

    /** @internal */
    constructor(session: Session, options: LocalConnectionOptions | RemoteConnectionOptions) {
        this.session = session;
        this.connectionId = options.id;
        this.creationTime = options.createdAt;
        this.data = options.metadata;
        if ('role' in options) {
            this.localOptions = options;
            this.role = options.role;
            this.record = options.record;
            this.rpcSessionId = options.sessionId;
        } else {
            this.remoteOptions = options;
        }
    }

    /** @internal */
    addStream(stream: Stream): void {
        this.stream = stream;
    }

    /** @internal */
    removeStream(): void {
        delete this.stream;
    }

    /** @internal */
    dispose(): void {
        this.disposed = true;
        this.removeStream();
    }
}

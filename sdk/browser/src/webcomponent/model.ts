// What the component knows about the people in a call, decoded from the
// wire conventions of OpenVidu's own components (so a govidu component and
// an upstream OpenVidu Call in the same session understand each other):
// connection data {clientData, participantId, type: CAMERA|SCREEN}, chat
// signals 'chat' with {message, nickname}, renames 'nicknameChanged' with
// {clientData}. Raised hands ('handRaised', {raised}) are ours.

export type VideoType = 'CAMERA' | 'SCREEN';

export interface ClientMeta {
    nickname: string;
    participantId: string;
    type: VideoType;
}

/** Decodes a connection's data ("client%/%server"); plain-text data is a name. */
export function parseClientData(data: string | undefined, connectionId: string): ClientMeta {
    const client = (data ?? '').split('%/%')[0];
    try {
        const o = JSON.parse(client);
        if (o && typeof o === 'object' && !Array.isArray(o)) {
            const type: VideoType = o.type === 'SCREEN' ? 'SCREEN' : 'CAMERA';
            let nickname = String(o.clientData ?? o.nickname ?? o.name ?? '');
            if (type === 'SCREEN') nickname = nickname.replace(/_SCREEN$/, '');
            return { nickname, participantId: String(o.participantId || connectionId), type };
        }
    } catch {
        // not JSON: the whole client data is the name
    }
    return { nickname: client, participantId: connectionId, type: 'CAMERA' };
}

export interface ChatMessage {
    nickname: string;
    message: string;
    connectionId: string;
    local: boolean;
    at: number;
}

/** Decodes a 'chat' signal; undefined when it is not one we can show. */
export function parseChat(data: string | undefined): { nickname: string; message: string } | undefined {
    try {
        const o = JSON.parse(data ?? '');
        if (o && typeof o.message === 'string' && o.message.trim()) return { nickname: String(o.nickname ?? ''), message: o.message };
    } catch {
        if (data && data.trim()) return { nickname: '', message: data };
    }
    return undefined;
}

/** Normalises a chat message before sending: trimmed, runs of spaces collapsed, bounded. */
export function cleanMessage(text: string): string {
    return text.replace(/[ \t]+/g, ' ').trim().slice(0, 2000);
}

let counter = 0;
/** A participant id shared by one person's camera and screen connections. */
export function newParticipantId(): string {
    const rnd = Math.random().toString(36).slice(2, 10);
    return 'p' + Date.now().toString(36) + rnd + (counter++).toString(36);
}

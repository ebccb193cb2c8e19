// Session and SignalClient against a scripted fake WebSocket: framing,
// keepalive, re-dial and the events the notifications turn into.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OpenVidu } from '../src/OpenVidu.js';
import { SignalClient } from '../src/signalclient.js';
import { log } from '../src/log.js';

log.setProd(true);
const quiet = () => {
    const w = console.warn;
    const e = console.error;
    console.warn = () => {};
    console.error = () => {};
    return () => {
        console.warn = w;
        console.error = e;
    };
};

/** A fake server: sockets it accepts and how it answers requests. */
class FakeServer {
    sockets = [];
    refuse = false;
    constructor(answer) {
        this.answer = answer;
    }
    factory = (url) => {
        const s = new FakeSocket(this, url);
        this.sockets.push(s);
        queueMicrotask(() => (this.refuse ? s.fail() : s.accept()));
        return s;
    };
    get last() {
        return this.sockets[this.sockets.length - 1];
    }
}

class FakeSocket {
    readyState = 0;
    sent = [];
    closed = null;
    onopen = null;
    onclose = null;
    onerror = null;
    onmessage = null;
    constructor(server, url) {
        this.server = server;
        this.url = url;
    }
    accept() {
        this.readyState = 1;
        this.onopen?.({});
    }
    fail() {
        this.readyState = 3;
        this.onerror?.({});
        this.onclose?.({ code: 1006 });
    }
    send(text) {
        const msg = JSON.parse(text);
        this.sent.push(msg);
        const reply = this.server.answer(msg, this);
        if (reply !== undefined) queueMicrotask(() => this.push({ jsonrpc: '2.0', id: msg.id, ...reply }));
    }
    push(obj) {
        this.onmessage?.({ data: JSON.stringify(obj) });
    }
    notify(method, params) {
        this.push({ jsonrpc: '2.0', method, params });
    }
    close(code, reason) {
        this.closed = { code, reason };
        this.readyState = 3;
    }
    drop() {
        this.readyState = 3;
        this.onclose?.({ code: 1006 });
    }
}

const until = async (cond, what, ms = 2000) => {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error('timed out waiting for ' + what);
        await new Promise((r) => setTimeout(r, 5));
    }
};

const TOKEN = 'ws://127.0.0.1:4443?sessionId=ses_Demo&token=tok_AAAAAAAAAAAAAAAA';
const bobStream = {
    id: 'str_CAM_Qx7z_con_Bbbbbbbbb2', createdAt: 2, hasAudio: true, hasVideo: true, audioActive: true, videoActive: true,
    typeOfVideo: 'CAMERA', frameRate: -1, videoDimensions: '{"width":640,"height":480}', filter: {}
};
const joinResult = {
    id: 'con_Aaaaaaaaa1', createdAt: 1, metadata: '{"clientData":"Alice"}', value: [{ id: 'con_Bbbbbbbbb2', createdAt: 2, metadata: 'Bob%/%srv', streams: [bobStream] }],
    session: 'ses_Demo', sessionId: 'rpc-a', version: '2.32.2', mediaServer: 'kurento', videoSimulcast: false, record: true, role: 'MODERATOR'
};

function defaultAnswer(msg) {
    switch (msg.method) {
        case 'ping':
            return { result: { value: 'pong' } };
        case 'joinRoom':
            return { result: joinResult };
        case 'connect':
            return { result: { value: 'reconnection successful', sessionId: 'rpc-a' } };
        default:
            return { result: {} };
    }
}

function record(session, types) {
    const events = [];
    for (const t of types) session.on(t, (e) => events.push([t, e]));
    return events;
}

test('signal client: ping with interval first, then ids count up; responses matched by id', async () => {
    const server = new FakeServer(defaultAnswer);
    const client = new SignalClient({
        url: 'ws://h/openvidu?sessionId=s', socketFactory: server.factory, pingInterval: 30,
        onNotification() {}, onConnectionLost() {}, onReopened() {}, onGiveUp() {}
    });
    await client.open();
    const r = await client.request('joinRoom', { token: 't' });
    assert.equal(r.id, 'con_Aaaaaaaaa1');
    await until(() => server.last.sent.filter((m) => m.method === 'ping').length >= 2, 'a second ping');
    const sent = server.last.sent;
    assert.deepEqual(sent[0], { jsonrpc: '2.0', method: 'ping', id: 0, params: { interval: 30 } });
    assert.equal(sent[1].method, 'joinRoom');
    assert.equal(sent[1].id, 1);
    assert.equal('params' in sent[2], false, 'later pings carry no params');
    client.close();
    assert.deepEqual(server.last.closed, { code: 4102, reason: 'Connection closed by client' });
});

test('signal client: error responses reject with code and message; unanswered requests time out', async () => {
    const server = new FakeServer((m) => (m.method === 'ping' ? { result: {} } : m.method === 'bad' ? { error: { code: 602, message: 'nope' } } : undefined));
    const client = new SignalClient({
        url: 'ws://h/openvidu', socketFactory: server.factory, requestTimeout: 30,
        onNotification() {}, onConnectionLost() {}, onReopened() {}, onGiveUp() {}
    });
    await client.open();
    await assert.rejects(client.request('bad', {}), (e) => e.code === 602 && e.message === 'nope');
    await assert.rejects(client.request('silent', {}), /Request has timed out/);
    client.close();
});

test('signal client: a failed ping drops the socket and re-dials with reconnect=true', async () => {
    let failPings = false;
    const server = new FakeServer((m) => (m.method === 'ping' ? (failPings ? { error: { code: 1, message: 'x' } } : { result: {} }) : { result: {} }));
    let lost = 0;
    let reopened = 0;
    const client = new SignalClient({
        url: 'ws://h/openvidu?sessionId=s', socketFactory: server.factory, pingInterval: 20, redialInterval: 10,
        onNotification() {}, onConnectionLost: () => lost++, onReopened: () => reopened++, onGiveUp() {}
    });
    await client.open();
    const first = server.last;
    failPings = true;
    await until(() => reopened === 1, 'the re-dial');
    assert.equal(lost, 1);
    assert.deepEqual(first.closed, { code: 4104, reason: 'Connection closed for reconnection' });
    assert.equal(server.last.url, 'ws://h/openvidu?sessionId=s&reconnect=true');
    assert.equal(server.last.sent.length, 0, 'no ping before the owner reconnects');
    failPings = false;
    client.startPings();
    assert.deepEqual(server.last.sent[0].params, { interval: 20 });
    client.close();
});

test('signal client: re-dial retries until the server is back', async () => {
    const server = new FakeServer(defaultAnswer);
    let reopened = 0;
    const client = new SignalClient({
        url: 'ws://h/openvidu', socketFactory: server.factory, redialInterval: 5,
        onNotification() {}, onConnectionLost() {}, onReopened: () => reopened++, onGiveUp() {}
    });
    await client.open();
    server.refuse = true;
    server.last.drop();
    await until(() => server.sockets.length >= 4, 'several attempts');
    server.refuse = false;
    await until(() => reopened === 1, 'the reconnection');
    client.close();
});

test('session: connect emits connectionCreated (own, then remote) and streamCreated, in order', async () => {
    const server = new FakeServer(defaultAnswer);
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    const events = record(session, ['connectionCreated', 'streamCreated']);
    await session.connect(TOKEN, { clientData: 'Alice' });
    assert.equal(server.last.url, 'ws://127.0.0.1:4443/openvidu?sessionId=ses_Demo');
    const join = server.last.sent.find((m) => m.method === 'joinRoom');
    assert.equal(join.params.token, TOKEN);
    assert.equal(join.params.session, 'ses_Demo');
    assert.equal(join.params.metadata, '{"clientData":"Alice"}');
    assert.equal(join.params.sdkVersion, '2.32.2');
    assert.deepEqual(events.map(([t, e]) => t + ':' + (e.connection?.connectionId ?? e.stream.streamId)), [
        'connectionCreated:con_Aaaaaaaaa1',
        'connectionCreated:con_Bbbbbbbbb2',
        'streamCreated:str_CAM_Qx7z_con_Bbbbbbbbb2'
    ]);
    assert.equal(session.connection.role, 'MODERATOR');
    assert.deepEqual(session.capabilities, { subscribe: true, publish: true, forceUnpublish: true, forceDisconnect: true });
    const stream = events[2][1].stream;
    assert.deepEqual(stream.videoDimensions, { width: 640, height: 480 });
    assert.equal(stream.connection.data, 'Bob%/%srv');
    assert.equal(stream.isLocal(), false);
    session.disconnect();
});

test('session: notifications become upstream events', async () => {
    const server = new FakeServer(defaultAnswer);
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    await session.connect(TOKEN);
    const ws = server.last;
    const events = record(session, [
        'connectionCreated', 'connectionDestroyed', 'streamCreated', 'streamDestroyed', 'streamPropertyChanged', 'signal', 'signal:chat',
        'recordingStarted', 'recordingStopped', 'networkQualityLevelChanged', 'connectionPropertyChanged', 'sessionDisconnected'
    ]);
    ws.notify('participantJoined', { id: 'con_Ccccccccc3', createdAt: 3, metadata: 'Carol' });
    ws.notify('participantPublished', { id: 'con_Ccccccccc3', streams: [{ ...bobStream, id: 'str_SCR_a_con_Ccccccccc3', typeOfVideo: 'SCREEN', hasAudio: false }] });
    ws.notify('streamPropertyChanged', {
        connectionId: 'con_Bbbbbbbbb2', streamId: bobStream.id, property: 'videoDimensions',
        newValue: JSON.stringify('{"width":1280,"height":720}'), reason: 'screenResized'
    });
    ws.notify('streamPropertyChanged', { connectionId: 'con_Bbbbbbbbb2', streamId: bobStream.id, property: 'audioActive', newValue: 'false', reason: 'publishAudio' });
    ws.notify('streamPropertyChanged', { connectionId: 'con_Bbbbbbbbb2', streamId: 'str_other', property: 'audioActive', newValue: 'true', reason: 'publishAudio' });
    ws.notify('sendMessage', { data: 'hello', type: 'signal:chat', from: 'con_Bbbbbbbbb2' });
    ws.notify('sendMessage', { data: 'own', type: 'signal:chat', from: 'con_Aaaaaaaaa1' });
    ws.notify('sendMessage', { data: 'from server', type: 'signal' });
    ws.notify('sendMessage', { data: 'rest', type: 'chat' });
    ws.notify('sendMessage', { data: 'x', type: 'signal:chat', from: 'con_unknown' });
    ws.notify('recordingStarted', { id: 'ses_Demo', name: 'ses_Demo' });
    ws.notify('recordingStopped', { id: 'ses_Demo', name: 'rec', reason: 'recordingStoppedByServer' });
    ws.notify('networkQualityLevelChanged', { connectionId: 'con_Bbbbbbbbb2', newValue: 2, oldValue: 3 });
    ws.notify('connectionPropertyChanged', { property: 'role', newValue: 'SUBSCRIBER' });
    ws.notify('participantUnpublished', { connectionId: 'con_Ccccccccc3', reason: 'unpublish' });
    ws.notify('participantLeft', { connectionId: 'con_Bbbbbbbbb2', reason: 'networkDisconnect' });
    ws.notify('participantEvicted', { connectionId: 'con_Ccccccccc3', reason: 'forceDisconnectByUser' }); // not us: ignored
    const restore = quiet();
    ws.notify('noSuchMethod', {});
    restore();
    ws.notify('participantEvicted', { connectionId: 'con_Aaaaaaaaa1', reason: 'sessionClosedByServer' });

    const summary = events.map(([t, e]) => {
        switch (t) {
            case 'streamPropertyChanged':
                return `${t}:${e.changedProperty}=${JSON.stringify(e.newValue)}(${e.reason})`;
            case 'signal':
            case 'signal:chat':
                return `${t}:${e.type}:${e.data}:${e.from?.connectionId ?? '-'}`;
            case 'recordingStarted':
            case 'recordingStopped':
                return `${t}:${e.id}:${e.name ?? '-'}:${e.reason ?? '-'}`;
            case 'networkQualityLevelChanged':
                return `${t}:${e.connection.connectionId}:${e.oldValue}->${e.newValue}`;
            case 'connectionPropertyChanged':
                return `${t}:${e.changedProperty}:${e.oldValue}->${e.newValue}`;
            case 'sessionDisconnected':
                return `${t}:${e.reason}`;
            case 'streamCreated':
            case 'streamDestroyed':
                return `${t}:${e.stream.streamId}:${e.reason}`;
            default:
                return `${t}:${e.connection.connectionId}:${e.reason}`;
        }
    });
    assert.deepEqual(summary, [
        'connectionCreated:con_Ccccccccc3:',
        'streamCreated:str_SCR_a_con_Ccccccccc3:',
        'streamPropertyChanged:videoDimensions={"width":1280,"height":720}(screenResized)',
        'streamPropertyChanged:audioActive=false(publishAudio)',
        'signal:signal:chat:hello:con_Bbbbbbbbb2',
        'signal:chat:signal:chat:hello:con_Bbbbbbbbb2',
        'signal:signal:chat:own:con_Aaaaaaaaa1',
        'signal:chat:signal:chat:own:con_Aaaaaaaaa1',
        'signal:signal:signal:from server:-',
        'signal:signal:chat:rest:-',
        'signal:chat:signal:chat:rest:-',
        'recordingStarted:ses_Demo:-:-',
        'recordingStopped:ses_Demo:rec:recordingStoppedByServer',
        'networkQualityLevelChanged:con_Bbbbbbbbb2:3->2',
        'connectionPropertyChanged:role:MODERATOR->SUBSCRIBER',
        'streamDestroyed:str_SCR_a_con_Ccccccccc3:unpublish',
        'streamDestroyed:str_CAM_Qx7z_con_Bbbbbbbbb2:networkDisconnect',
        'connectionDestroyed:con_Bbbbbbbbb2:networkDisconnect',
        'sessionDisconnected:sessionClosedByServer'
    ]);
    assert.equal(session.capabilities.publish, false);
    assert.equal(session.remoteConnections.size, 0, 'sessionDisconnected drops remote connections');
    assert.deepEqual(ws.closed, { code: 4102, reason: 'Connection closed by client' });
    assert.equal(ws.sent.some((m) => m.method === 'leaveRoom'), false, 'an evicted client does not send leaveRoom');
});

test('session: signal, forceDisconnect and permission errors', async () => {
    const server = new FakeServer((m) => (m.method === 'forceUnpublish' ? { error: { code: 401, message: 'no' } } : defaultAnswer(m)));
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    let events = 0;
    session.on('streamCreated', (e) => {
        events++;
        session.__bob = e.stream;
    });
    await session.connect(TOKEN);
    const bob = session.remoteConnections.get('con_Bbbbbbbbb2');
    await session.signal({ data: 'hi', to: [bob], type: 'chat' });
    await session.signal({});
    const msgs = server.last.sent.filter((m) => m.method === 'sendMessage').map((m) => JSON.parse(m.params.message));
    assert.deepEqual(msgs, [{ to: ['con_Bbbbbbbbb2'], data: 'hi', type: 'signal:chat' }, { to: [], data: '', type: 'signal:signal' }]);
    await session.forceDisconnect(bob);
    assert.deepEqual(server.last.sent.find((m) => m.method === 'forceDisconnect').params, { connectionId: 'con_Bbbbbbbbb2' });
    await assert.rejects(session.forceUnpublish(session.__bob), (e) => e.name === 'OPENVIDU_PERMISSION_DENIED');
    session.disconnect();
    const leave = server.last.sent.find((m) => m.method === 'leaveRoom');
    assert.deepEqual(leave.params, {});
    await assert.rejects(session.signal({ data: 'late' }), (e) => e.name === 'OPENVIDU_NOT_CONNECTED');
});

test('session: failed joinRoom rejects with the server error (code, message)', async () => {
    const server = new FakeServer((m) => (m.method === 'joinRoom' ? { error: { code: 401, message: 'Token tok_X is not valid' } } : defaultAnswer(m)));
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    await assert.rejects(session.connect(TOKEN), (e) => e.code === 401 && /not valid/.test(e.message));
    await assert.rejects(session.connect('not a token'), /Token not valid/);
});

test('session: socket loss → reconnecting, connect with the RPC session id → reconnected', async () => {
    const server = new FakeServer(defaultAnswer);
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    await session.connect(TOKEN);
    const order = [];
    session.on('reconnecting', () => order.push('reconnecting'));
    session.on('reconnected', () => order.push('reconnected'));
    server.last.drop();
    await until(() => order.length === 2, 'reconnected');
    assert.deepEqual(order, ['reconnecting', 'reconnected']);
    const ws = server.last;
    assert.match(ws.url, /reconnect=true$/);
    assert.deepEqual(ws.sent[0].params, { sessionId: 'rpc-a', reconnect: true });
    assert.equal(ws.sent[0].method, 'connect');
    assert.deepEqual(ws.sent[1].params, { interval: 5000 }, 'pings restart with the interval');
    session.disconnect();
});

test('session: a refused reconnection ends with sessionDisconnected(networkDisconnect)', async () => {
    let refuse = false;
    const server = new FakeServer((m) => (m.method === 'connect' && refuse ? { error: { code: 40007, message: 'reconnection error' } } : defaultAnswer(m)));
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    await session.connect(TOKEN);
    const reasons = [];
    session.on('sessionDisconnected', (e) => reasons.push(e.reason));
    refuse = true;
    const restore = quiet();
    server.last.drop();
    await until(() => reasons.length === 1, 'sessionDisconnected');
    restore();
    assert.deepEqual(reasons, ['networkDisconnect']);
    assert.equal(server.last.closed.code, 4102);
});

/** A minimal RTCPeerConnection and MediaStream: enough for a subscription's negotiation. */
function fakeWebRTC() {
    const saved = { pc: globalThis.RTCPeerConnection, ms: globalThis.MediaStream };
    globalThis.RTCPeerConnection = class {
        iceConnectionState = 'new';
        signalingState = 'stable';
        localDescription = null;
        remoteDescription = null;
        receivers = [];
        addEventListener() {}
        addTransceiver(kind) {
            this.receivers.push({ track: { kind, enabled: true } });
        }
        async createOffer() {
            return { type: 'offer', sdp: 'v=0 offer ' + this.receivers.length };
        }
        async setLocalDescription(d) {
            this.localDescription = d;
            this.signalingState = 'have-local-offer';
        }
        async setRemoteDescription(d) {
            this.remoteDescription = d;
            this.signalingState = 'stable';
        }
        async addIceCandidate() {}
        getReceivers() {
            return this.receivers;
        }
        getSenders() {
            return [];
        }
        getTransceivers() {
            return [];
        }
        close() {}
    };
    globalThis.MediaStream = class {
        tracks = [];
        addTrack(t) {
            this.tracks.push(t);
        }
        getTracks() {
            return this.tracks;
        }
        getAudioTracks() {
            return this.tracks.filter((t) => t.kind === 'audio');
        }
        getVideoTracks() {
            return this.tracks.filter((t) => t.kind === 'video');
        }
    };
    return () => {
        globalThis.RTCPeerConnection = saved.pc;
        globalThis.MediaStream = saved.ms;
    };
}

/** Connects a session to the fake server; resolves with it and Bob's stream (announced in joinRoom). */
async function connectSeeingBob(server) {
    const ov = new OpenVidu();
    ov.socketFactory = server.factory;
    const session = ov.initSession();
    let stream;
    session.on('streamCreated', (e) => (stream = e.stream));
    await session.connect(TOKEN);
    return { session, stream };
}

for (const reached of [false, true]) {
    test(`session: a subscription cut by a socket loss completes after the reconnection (request ${reached ? 'reached' : 'lost before'} the server)`, async () => {
        const restore = fakeWebRTC();
        let subscribes = 0;
        const server = new FakeServer((m, ws) => {
            if (m.method === 'receiveVideoFrom') {
                subscribes++;
                if (subscribes === 1) {
                    queueMicrotask(() => ws.drop()); // no answer: the socket fails
                    return undefined;
                }
                if (reached) return { error: { code: 106, message: 'already subscribed to this stream' } };
                return { result: { sdpAnswer: 'v=0 answer' } };
            }
            if (m.method === 'reconnectStream') return { result: { sdpAnswer: 'v=0 answer' } };
            return defaultAnswer(m);
        });
        const { session, stream } = await connectSeeingBob(server);
        const q = quiet();
        try {
            const sub = await session.subscribeAsync(stream, undefined);
            assert.equal(server.sockets.length, 2, 'one reconnection');
            const methods = server.last.sent.map((m) => m.method).filter((m) => m !== 'ping');
            assert.deepEqual(methods, reached ? ['connect', 'receiveVideoFrom', 'reconnectStream'] : ['connect', 'receiveVideoFrom']);
            const last = server.last.sent.find((m) => m.method === (reached ? 'reconnectStream' : 'receiveVideoFrom'));
            assert.equal(reached ? last.params.stream : last.params.sender, bobStream.id);
            assert.equal(sub.stream.getMediaStream().getTracks().length, 2, 'the received tracks are attached');
        } finally {
            q();
            session.disconnect();
            restore();
        }
    });
}

test('session: a subscription cut by a socket loss fails when the reconnection is refused', async () => {
    const restore = fakeWebRTC();
    let refuse = false;
    const server = new FakeServer((m, ws) => {
        if (m.method === 'receiveVideoFrom') {
            refuse = true;
            queueMicrotask(() => ws.drop());
            return undefined;
        }
        if (m.method === 'connect' && refuse) return { error: { code: 40007, message: 'reconnection error' } };
        return defaultAnswer(m);
    });
    const { session, stream } = await connectSeeingBob(server);
    const q = quiet();
    try {
        await assert.rejects(session.subscribeAsync(stream, undefined), /Error on receiveVideoFrom.*signaling connection was lost/);
    } finally {
        q();
        restore();
    }
});

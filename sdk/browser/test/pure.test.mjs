import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseToken, signalingUrl } from '../src/token.js';
import { RpcError, decodeFrame, encodeRequest } from '../src/jsonrpc.js';
import {
    decodePropertyValue,
    joinRoomParams,
    parseJoinRoomResult,
    parseRemoteConnection,
    parseStreamOptions,
    publishVideoParams,
    splitMetadata,
    toRTCIceServers
} from '../src/protocol.js';
import { Emitter } from '../src/emitter.js';
import { dispatchWithDefault, Event } from '../src/events.js';
import { SpeakingDetector } from '../src/speaking.js';
import { mediaError, parseResolution, planMedia } from '../src/media.js';
import { OpenViduErrorName } from '../src/errors.js';
import { describeUserAgent } from '../src/platform.js';

test('token: ws URL with session id, secret and flags', () => {
    const t = parseToken('wss://example.org:4443/some/path?sessionId=ses_Ab1&token=tok_X&secret=s3&recorder=true&stt=1');
    assert.equal(t.sessionId, 'ses_Ab1');
    assert.equal(t.secret, 's3');
    assert.equal(t.recorder, true);
    assert.equal(t.stt, true);
    assert.equal(t.wsUri, 'wss://example.org:4443/openvidu');
    assert.equal(t.httpUri, 'https://example.org:4443');
    assert.equal(signalingUrl(t), 'wss://example.org:4443/openvidu?sessionId=ses_Ab1');
});

test('token: dev-mode token without flags', () => {
    const t = parseToken('ws://localhost:4443?sessionId=ses_Demo&token=tok_AAAAAAAAAAAAAAAA');
    assert.equal(t.sessionId, 'ses_Demo');
    assert.equal(t.secret, '');
    assert.equal(t.recorder, false);
    assert.equal(t.wsUri, 'ws://localhost:4443/openvidu');
    assert.equal(t.query.token, 'tok_AAAAAAAAAAAAAAAA');
});

test('token: values are URL-decoded', () => {
    assert.equal(parseToken('ws://h?sessionId=a%20b').sessionId, 'a b');
});

test('token: anything but ws/wss is refused like upstream', () => {
    for (const bad of ['', 'tok_ABC', 'http://localhost:4443?sessionId=x', 'ws://', 'ws://a:b:c?x=1', undefined, 42]) {
        assert.throws(() => parseToken(bad), /Token not valid/, String(bad));
    }
});

test('jsonrpc: requests carry jsonrpc, method, id; params only when given', () => {
    assert.deepEqual(JSON.parse(encodeRequest(0, 'ping', { interval: 5000 })), { jsonrpc: '2.0', method: 'ping', id: 0, params: { interval: 5000 } });
    const p = JSON.parse(encodeRequest(4, 'ping'));
    assert.equal('params' in p, false);
    assert.deepEqual(JSON.parse(encodeRequest(9, 'leaveRoom', {})).params, {});
});

test('jsonrpc: responses, errors and notifications', () => {
    assert.deepEqual(decodeFrame('{"jsonrpc":"2.0","id":1,"result":{"value":"pong"}}'), { kind: 'response', id: 1, result: { value: 'pong' } });
    assert.deepEqual(decodeFrame('{"jsonrpc":"2.0","id":"2","result":null}'), { kind: 'response', id: '2', result: null });
    const e = decodeFrame('{"jsonrpc":"2.0","id":3,"error":{"code":401,"message":"Token tok_X is not valid","data":"x"}}');
    assert.equal(e.kind, 'response');
    assert.ok(e.error instanceof RpcError);
    assert.ok(e.error instanceof Error);
    assert.equal(e.error.code, 401);
    assert.equal(e.error.message, 'Token tok_X is not valid');
    assert.equal(e.error.data, 'x');
    assert.deepEqual(decodeFrame('{"jsonrpc":"2.0","method":"participantLeft","params":{"connectionId":"con_A","reason":"disconnect"}}'), {
        kind: 'notification',
        method: 'participantLeft',
        params: { connectionId: 'con_A', reason: 'disconnect' }
    });
    assert.deepEqual(decodeFrame('{"jsonrpc":"2.0","method":"broadcastStarted"}'), { kind: 'notification', method: 'broadcastStarted', params: {} });
});

test('jsonrpc: a result next to "error": null is taken', () => {
    assert.deepEqual(decodeFrame('{"jsonrpc":"2.0","id":1,"result":{},"error":null}'), { kind: 'response', id: 1, result: {} });
});

test('jsonrpc: malformed frames are invalid', () => {
    for (const f of ['nope', '[]', 'null', '{"id":1,"result":{}}', '{"jsonrpc":"1.0","id":1,"result":{}}', '{"jsonrpc":"2.0","result":{}}',
        '{"jsonrpc":"2.0","id":1}', '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}']) {
        assert.equal(decodeFrame(f).kind, 'invalid', f);
    }
});

const streamObject = {
    id: 'str_CAM_Qx7z_con_Aaaaaaaaa1',
    createdAt: 1732600001000,
    hasAudio: true,
    hasVideo: true,
    audioActive: true,
    videoActive: false,
    typeOfVideo: 'CAMERA',
    frameRate: -1,
    videoDimensions: '{"width":640,"height":480}',
    filter: {}
};

test('protocol: stream object with videoDimensions as JSON text', () => {
    const s = parseStreamOptions(streamObject);
    assert.equal(s.id, streamObject.id);
    assert.deepEqual(s.videoDimensions, { width: 640, height: 480 });
    assert.equal(s.videoActive, false);
    assert.equal(s.audioActive, true);
    assert.equal(s.typeOfVideo, 'CAMERA');
    assert.equal(s.frameRate, -1);
    assert.equal(s.filter, undefined, 'empty filter means none');
});

test('protocol: audio-only stream omits video fields', () => {
    const s = parseStreamOptions({ id: 'str_MIC_a_con_B', createdAt: 1, hasAudio: true, hasVideo: false, audioActive: true, frameRate: -1 });
    assert.equal(s.hasVideo, false);
    assert.equal(s.videoActive, false);
    assert.equal(s.typeOfVideo, undefined);
    assert.equal(s.videoDimensions, undefined);
    assert.throws(() => parseStreamOptions({ hasAudio: true }), /without id/);
});

test('protocol: streamPropertyChanged values as the server relays them', () => {
    // videoDimensions: JSON text encoded once more
    const wire = JSON.parse('{"newValue":"\\"{\\\\\\"width\\\\\\":1280,\\\\\\"height\\\\\\":720}\\""}').newValue;
    assert.equal(typeof wire, 'string');
    assert.deepEqual(decodePropertyValue('videoDimensions', wire), { width: 1280, height: 720 });
    assert.deepEqual(decodePropertyValue('videoDimensions', '{"width":320,"height":240}'), { width: 320, height: 240 });
    assert.deepEqual(decodePropertyValue('videoDimensions', { width: 1, height: 2 }), { width: 1, height: 2 });
    assert.equal(decodePropertyValue('audioActive', 'false'), false);
    assert.equal(decodePropertyValue('audioActive', 'true'), true);
    assert.equal(decodePropertyValue('videoActive', true), true);
    assert.deepEqual(decodePropertyValue('videoTrack', '{"label":"cam 2"}'), { label: 'cam 2' });
    assert.deepEqual(decodePropertyValue('filter', {}), {});
});

test('protocol: participants and the joinRoom result', () => {
    const joined = parseRemoteConnection({ id: 'con_B', createdAt: 5, metadata: '{"clientData":"Bob"}' });
    assert.deepEqual(joined.streams, []);
    const r = parseJoinRoomResult({
        id: 'con_A', createdAt: 1, metadata: '', value: [{ id: 'con_B', createdAt: 2, metadata: 'x', streams: [streamObject] }],
        session: 'ses_Demo', sessionId: 'rpc-1', version: '2.32.2', mediaServer: 'kurento', videoSimulcast: false, record: true,
        role: 'PUBLISHER', customIceServers: [{ url: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }]
    });
    assert.equal(r.sessionId, 'rpc-1');
    assert.equal(r.value[0].streams[0].videoDimensions.width, 640);
    assert.deepEqual(toRTCIceServers(r.customIceServers), [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }]);
    assert.throws(() => parseJoinRoomResult({ id: 'con_A', value: [] }), /role/);
    assert.equal(parseJoinRoomResult({ id: 'con_A', role: 'SUBSCRIBER' }).value.length, 0);
});

test('protocol: joinRoom and publishVideo params', () => {
    const t = { sessionId: 'ses_1', secret: '', recorder: false, stt: false };
    assert.deepEqual(joinRoomParams('ws://h?sessionId=ses_1', t, { clientData: 'A' }, 'Chrome 1 on Linux'), {
        token: 'ws://h?sessionId=ses_1', session: 'ses_1', platform: 'Chrome 1 on Linux', sdkVersion: '2.32.2',
        metadata: '{"clientData":"A"}', secret: '', recorder: false, stt: false
    });
    assert.equal('session' in joinRoomParams('ws://h', { ...t, sessionId: '' }, undefined, 'x'), false);
    assert.equal(joinRoomParams('ws://h', t, undefined, 'x').metadata, '');
    const audioOnly = publishVideoParams({ sdpOffer: 'v=0', doLoopback: false, hasAudio: true, hasVideo: false, audioActive: true, videoActive: false });
    assert.deepEqual(audioOnly, { doLoopback: false, hasAudio: true, hasVideo: false, audioActive: true, frameRate: -1, sdpOffer: 'v=0' });
    const cam = publishVideoParams({ sdpOffer: 'v=0', doLoopback: false, hasAudio: false, hasVideo: true, audioActive: false, videoActive: true, typeOfVideo: 'SCREEN', frameRate: 30, videoDimensions: { width: 1, height: 2 } });
    assert.equal(cam.videoDimensions, '{"width":1,"height":2}');
    assert.equal(cam.typeOfVideo, 'SCREEN');
    assert.equal(cam.frameRate, 30);
    assert.equal('audioActive' in cam, false);
});

test('protocol: metadata split on %/%', () => {
    assert.deepEqual(splitMetadata('{"clientData":"Bob"}%/%{"role":"teacher"}'), { clientData: '{"clientData":"Bob"}', serverData: '{"role":"teacher"}' });
    assert.deepEqual(splitMetadata('only'), { clientData: 'only', serverData: '' });
});

test('emitter: order, once, off, and a throwing handler does not stop the others', () => {
    const e = new Emitter();
    const seen = [];
    const a = (v) => seen.push('a' + v);
    e.add('x', a, false);
    e.add('x', (v) => seen.push('once' + v), true);
    e.add('x', () => {
        throw new Error('boom');
    }, false);
    e.add('x', (v) => seen.push('c' + v), false);
    const err = console.error;
    console.error = () => {};
    try {
        e.emit('x', 1);
        e.emit('x', 2);
        e.remove('x', a);
        e.emit('x', 3);
        e.remove('x');
        e.emit('x', 4);
    } finally {
        console.error = err;
    }
    assert.deepEqual(seen, ['a1', 'once1', 'c1', 'a2', 'c2', 'c3']);
    assert.equal(e.count('x'), 0);
});

test('events: default behaviour runs unless prevented', () => {
    class Ev extends Event {
        ran = 0;
        callDefaultBehavior() {
            this.ran++;
        }
    }
    const target = new (class {
        emitted = [];
        emitEvent(type, ev) {
            this.emitted.push(type);
            if (ev.prevent) ev.preventDefault();
        }
    })();
    const ok = new Ev(true, target, 'streamDestroyed');
    dispatchWithDefault(target, ok);
    assert.equal(ok.ran, 1);
    const prevented = new Ev(true, target, 'streamDestroyed');
    prevented.prevent = true;
    dispatchWithDefault(target, prevented);
    assert.equal(prevented.ran, 0);
    assert.equal(prevented.isDefaultPrevented(), true);
});

test('speaking: starts quickly, stops after a quiet history', () => {
    const d = new SpeakingDetector(-50, 10);
    assert.equal(d.push(-80), null);
    assert.equal(d.push(-30), null);
    assert.equal(d.push(-30), 'start');
    assert.equal(d.push(-30), null);
    const out = [];
    for (let i = 0; i < 12; i++) out.push(d.push(-90));
    assert.equal(out.filter(Boolean).length, 1);
    assert.equal(out.indexOf('stop'), 9, 'stops once ten quiet samples fill the history');
    assert.equal(d.speaking, false);
});

test('media: resolution and capture plans', () => {
    assert.deepEqual(parseResolution('1280x720'), { width: 1280, height: 720 });
    assert.equal(parseResolution('big'), undefined);
    const cam = planMedia({ resolution: '320x240', frameRate: 15, videoSource: 'cam-id', audioSource: undefined });
    assert.deepEqual(cam.constraints.video, { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 }, deviceId: { exact: 'cam-id' } });
    assert.equal(cam.constraints.audio, true);
    assert.equal(cam.screen, false);
    const screen = planMedia({ videoSource: 'screen', audioSource: 'screen' });
    assert.equal(screen.screen, true);
    assert.equal(screen.screenAudio, true);
    assert.equal(screen.constraints.video, false);
    assert.equal(screen.constraints.audio, false);
    const audioOnly = planMedia({ videoSource: false, audioSource: 'mic-1' });
    assert.deepEqual(audioOnly.constraints, { audio: { deviceId: { exact: 'mic-1' } }, video: false });
    assert.throws(() => planMedia({ videoSource: false, audioSource: false }), (e) => e.name === OpenViduErrorName.NO_INPUT_SOURCE_SET);
    assert.throws(() => planMedia({ videoSource: 'cam', audioSource: 'screen' }), (e) => e.name === OpenViduErrorName.PUBLISHER_PROPERTIES_ERROR);
});

test('media: getUserMedia errors map to upstream names', () => {
    const err = (name, extra = {}) => Object.assign({ name, message: 'm' }, extra);
    assert.equal(mediaError(err('NotAllowedError'), { screen: false }).name, 'DEVICE_ACCESS_DENIED');
    assert.equal(mediaError(err('NotAllowedError'), { screen: true }).name, 'SCREEN_CAPTURE_DENIED');
    assert.equal(mediaError(err('NotFoundError'), { screen: false, kind: 'audio' }).name, 'INPUT_AUDIO_DEVICE_NOT_FOUND');
    assert.equal(mediaError(err('NotFoundError'), { screen: false, kind: 'video' }).name, 'INPUT_VIDEO_DEVICE_NOT_FOUND');
    assert.equal(mediaError(err('OverconstrainedError', { constraint: 'deviceId' }), { screen: false, kind: 'video' }).name, 'INPUT_VIDEO_DEVICE_NOT_FOUND');
    assert.equal(mediaError(err('OverconstrainedError', { constraint: 'width' }), { screen: false, kind: 'video' }).name, 'PUBLISHER_PROPERTIES_ERROR');
    assert.equal(mediaError(err('NotReadableError'), { screen: false }).name, 'DEVICE_ALREADY_IN_USE');
    assert.equal(mediaError(err('AbortError'), { screen: false }).name, 'DEVICE_ALREADY_IN_USE');
    assert.equal(mediaError(err('Weird'), { screen: false }).name, 'GENERIC_ERROR');
    assert.match(mediaError(err('NotAllowedError'), { screen: false }).message, /NotAllowedError: m/);
});

test('platform: user agents', () => {
    assert.equal(
        describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'),
        'Chrome 131.0.0.0 on Linux 64-bit'
    );
    assert.equal(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'), 'Firefox 133.0 on Linux 64-bit');
    assert.equal(describeUserAgent(''), 'unknown');
});

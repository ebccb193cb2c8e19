// Unit tests of the component's and the app's pure parts. Run by
// internal/web (TestComponentUnits): esbuild bundles this file with the .ts
// sources it imports, then `node --test` runs it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bestGrid, hueOf, initials, roomId } from './layout.ts';
import { OPTIONS, EVENTS, attributeName, parseOption, parseTokens } from './options.ts';
import { cleanMessage, parseChat, parseClientData } from './model.ts';
import { translator } from './i18n.ts';
import { classifyJoinError } from './call.ts';
import { randomRoom, roomFromLocation } from '../app/route.ts';

test('grid: the column count that makes tiles largest', () => {
    assert.deepEqual(bestGrid(1, 1600, 900, 0), { cols: 1, rows: 1, width: 1600, height: 900 });
    assert.equal(bestGrid(2, 1600, 600).cols, 2); // wide box: side by side
    assert.equal(bestGrid(2, 600, 900).cols, 1); // tall box: stacked
    const g4 = bestGrid(4, 1600, 900, 8);
    assert.equal(g4.cols, 2);
    assert.equal(g4.rows, 2);
    const g9 = bestGrid(9, 1920, 1080, 8);
    assert.equal(g9.cols, 3);
    for (const [n, w, h] of [[5, 1280, 600], [12, 1000, 700], [30, 1920, 1000], [3, 390, 700]]) {
        const g = bestGrid(n, w, h, 8);
        assert.ok(g.cols * g.rows >= n, `${n} tiles fit ${JSON.stringify(g)}`);
        assert.ok(g.cols * g.width + (g.cols - 1) * 8 <= w + 1 && g.rows * g.height + (g.rows - 1) * 8 <= h + 1, `inside the box ${JSON.stringify(g)}`);
        assert.ok(Math.abs(g.width / g.height - 16 / 9) < 0.05, 'keeps 16:9');
    }
    assert.deepEqual(bestGrid(0, 100, 100), { cols: 1, rows: 1, width: 100, height: 100 });
    assert.equal(bestGrid(3, 0, 0).width, 0);
});

test('avatars: initials and a stable colour', () => {
    assert.equal(initials('Ada Lovelace'), 'AL');
    assert.equal(initials('  bob '), 'B');
    assert.equal(initials('José María Pérez'), 'JP');
    assert.equal(initials(''), '?');
    assert.equal(initials('😀 smile'), '😀S');
    assert.equal(hueOf('Ada'), hueOf('Ada'));
    assert.ok(hueOf('Ada') >= 0 && hueOf('Ada') < 360);
});

test('room names typed by people become session ids', () => {
    assert.equal(roomId('Daily Standup!'), 'Daily-Standup');
    assert.equal(roomId('  ñandú  café '), 'nandu-cafe');
    assert.equal(roomId('a -- b'), 'a-b');
    assert.equal(roomId('x'.repeat(150)).length, 100);
    assert.equal(roomId('!!!'), '');
    assert.match(roomId('team_42-sync'), /^[a-zA-Z0-9_-]+$/);
});

test('the call app reads the room from /room/NAME or ?room=NAME', () => {
    assert.equal(roomFromLocation({ pathname: '/room/daily-standup', search: '' }), 'daily-standup');
    assert.equal(roomFromLocation({ pathname: '/room/Team%20Sync/', search: '' }), 'Team-Sync');
    assert.equal(roomFromLocation({ pathname: '/', search: '?room=abc' }), 'abc');
    assert.equal(roomFromLocation({ pathname: '/', search: '' }), '');
    assert.equal(roomFromLocation({ pathname: '/room/%E0%A4%A', search: '' }), '');
    assert.match(randomRoom(), /^[a-z]+-[a-z]+-\d\d$/);
});

test('options: upstream names, attributes in kebab-case, parsing', () => {
    const props = OPTIONS.map((o) => o.prop);
    for (const p of ['minimal', 'lang', 'langOptions', 'prejoin', 'participantName', 'videoMuted', 'audioMuted', 'toolbarScreenshareButton',
        'toolbarFullscreenButton', 'toolbarLeaveButton', 'toolbarChatPanelButton', 'toolbarParticipantsPanelButton', 'toolbarDisplayLogo',
        'toolbarDisplaySessionName', 'streamDisplayParticipantName', 'streamDisplayAudioDetection', 'streamSettingsButton',
        'participantPanelItemMuteButton', 'recordingActivityRecordingsList', 'toolbarActivitiesPanelButton']) {
        assert.ok(props.includes(p), p);
    }
    for (const e of ['onJoinButtonClicked', 'onToolbarLeaveButtonClicked', 'onSessionCreated', 'onParticipantCreated', 'onNodeCrashed']) {
        assert.ok(EVENTS.includes(e), e);
    }
    assert.equal(attributeName('toolbarScreenshareButton'), 'toolbar-screenshare-button');
    assert.equal(attributeName('participantPanelItemMuteButton'), 'participant-panel-item-mute-button');
    const spec = (prop) => OPTIONS.find((o) => o.prop === prop);
    assert.equal(parseOption(spec('prejoin'), 'false'), false);
    assert.equal(parseOption(spec('prejoin'), true), true);
    assert.equal(parseOption(spec('minimal'), ''), true); // <openvidu-webcomponent minimal>
    assert.equal(parseOption(spec('prejoin'), null), true); // attribute removed: upstream's default
    assert.throws(() => parseOption(spec('prejoin'), 'yes'), /prejoin must be true or false/);
    assert.equal(parseOption(spec('streamFrameRate'), '15'), 15);
    assert.throws(() => parseOption(spec('streamFrameRate'), 'fast'), /positive number/);
    assert.deepEqual(parseOption(spec('langOptions'), '[{"name":"English","lang":"en"}]'), [{ name: 'English', lang: 'en' }]);
    assert.equal(parseOption(spec('recordingActivityRecordingError'), 'disk full'), 'disk full');
});

test('tokens: JSON, object or a single token', () => {
    assert.deepEqual(parseTokens('{"webcam":"ws://h?token=a","screen":"ws://h?token=b"}'), { webcam: 'ws://h?token=a', screen: 'ws://h?token=b' });
    assert.deepEqual(parseTokens({ webcam: 'A' }), { webcam: 'A', screen: undefined });
    assert.deepEqual(parseTokens(' ws://h?token=a '), { webcam: 'ws://h?token=a' });
    assert.equal(parseTokens(''), undefined);
    assert.equal(parseTokens(null), undefined);
    assert.throws(() => parseTokens('{"webcam":'), /not valid JSON/);
    assert.throws(() => parseTokens({ screen: 'x' }), /tokens must be/);
});

test('connection data and signals of OpenVidu components', () => {
    assert.deepEqual(parseClientData('{"clientData":"Ada","participantId":"p1","type":"CAMERA"}%/%{"server":1}', 'con_1'), { nickname: 'Ada', participantId: 'p1', type: 'CAMERA' });
    assert.deepEqual(parseClientData('{"clientData":"Ada_SCREEN","participantId":"p1","type":"SCREEN"}', 'con_2'), { nickname: 'Ada', participantId: 'p1', type: 'SCREEN' });
    assert.deepEqual(parseClientData('Plain name', 'con_3'), { nickname: 'Plain name', participantId: 'con_3', type: 'CAMERA' });
    assert.deepEqual(parseClientData('{"clientData":"x"}', 'con_4'), { nickname: 'x', participantId: 'con_4', type: 'CAMERA' });
    assert.deepEqual(parseClientData(undefined, 'con_5'), { nickname: '', participantId: 'con_5', type: 'CAMERA' });
    assert.deepEqual(parseChat('{"message":"hi","nickname":"Ada"}'), { nickname: 'Ada', message: 'hi' });
    assert.deepEqual(parseChat('plain text'), { nickname: '', message: 'plain text' });
    assert.equal(parseChat('{"message":"   "}'), undefined);
    assert.equal(parseChat(''), undefined);
    assert.equal(cleanMessage('  hello    world \t '), 'hello world');
    assert.equal(cleanMessage('x'.repeat(3000)).length, 2000);
});

test('translations fall back to English and fill placeholders', () => {
    const es = translator('es-ES');
    assert.equal(es('join'), 'Entrar');
    assert.equal(es('you'), 'Tú');
    assert.equal(translator('fr')('play'), 'Play'); // not translated: English
    assert.equal(translator('xx')('join'), 'Join');
    assert.equal(translator('en')('joined', { name: 'Ada' }), 'Ada joined');
});

test('join errors are told apart: token, server, other', () => {
    assert.equal(classifyJoinError(new Error('Token not valid: "x"')).kind, 'token');
    assert.equal(classifyJoinError({ code: 401, message: 'Unable to join session s. Token ws://... is not valid' }).kind, 'token');
    assert.equal(classifyJoinError(new Error('Could not open the signaling WebSocket ws://h/openvidu (close code 1006)')).kind, 'server');
    assert.equal(classifyJoinError({ code: 500, message: 'boom' }).kind, 'other');
});

// govidu dashboard: polls the REST API (same origin, the browser's Basic
// credentials) and runs a test call with govidu's browser SDK.
'use strict';

const api = (path, opts = {}) =>
  fetch('/openvidu/api' + path, { credentials: 'same-origin', ...opts, headers: { 'Content-Type': 'application/json', ...(opts.headers || {}) } })
    .then(async (r) => {
      if (!r.ok) throw new Error(`${opts.method || 'GET'} ${path}: HTTP ${r.status}`);
      const text = await r.text();
      return text ? JSON.parse(text) : null;
    });

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
};

const since = (ms) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
};

function mediaTags(m) {
  const tags = [];
  if (m.hasAudio) tags.push(el('span', { class: 'tag' + (m.audioActive ? '' : ' off') }, m.audioActive ? 'audio' : 'audio muted'));
  if (m.hasVideo) {
    tags.push(el('span', { class: 'tag' + (m.videoActive ? '' : ' off') }, (m.typeOfVideo || 'video').toLowerCase() + (m.videoActive ? '' : ' off')));
    try {
      const d = JSON.parse(m.videoDimensions || 'null');
      if (d) tags.push(el('span', { class: 'tag' }, `${d.width}×${d.height}`));
    } catch { /* not JSON: ignore */ }
  }
  return tags;
}

function pairOf(endpoint) {
  if (!endpoint || !endpoint.localCandidate) return '';
  return `${endpoint.remoteCandidate || '?'} ⇄ ${endpoint.localCandidate}`;
}

function renderSessions(list) {
  const box = document.getElementById('sessions');
  box.replaceChildren();
  let conns = 0, pubs = 0, subs = 0;
  for (const s of list.content) {
    const rows = [];
    for (const c of s.connections.content) {
      conns++;
      const pub = (c.publishers || [])[0];
      if (pub) pubs++;
      subs += (c.subscribers || []).length;
      rows.push(el('tr', {},
        el('td', {}, el('code', {}, c.connectionId)),
        el('td', {}, c.role || ''),
        el('td', {}, c.platform || ''),
        el('td', {}, c.ip || ''),
        el('td', {}, c.clientData || ''),
        el('td', {}, ...(pub ? [el('code', {}, pub.streamId), el('br'), ...mediaTags(pub.mediaOptions)] : ['—'])),
        el('td', {}, String((c.subscribers || []).length)),
        el('td', {}, el('code', {}, pub ? pairOf(pub) : '')),
      ));
    }
    box.append(el('div', { class: 'session', 'data-session': s.sessionId },
      el('h3', {}, s.sessionId, el('small', {}, `${s.connections.numberOfElements} connection(s) · up ${since(s.createdAt)}${s.recording ? ' · recording' : ''}`)),
      rows.length ? el('table', {},
        el('tr', {}, ...['connection', 'role', 'platform', 'ip', 'client data', 'publishes', 'subscriptions', 'ICE pair'].map((h) => el('th', {}, h))),
        ...rows) : el('p', { class: 'muted' }, 'No participants yet.')));
  }
  if (!list.content.length) box.append(el('p', { class: 'muted' }, 'No sessions.'));
  document.getElementById('n-sessions').textContent = list.numberOfElements;
  document.getElementById('n-connections').textContent = conns;
  document.getElementById('n-publishers').textContent = pubs;
  document.getElementById('n-subscribers').textContent = subs;
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    renderSessions(await api('/sessions?webRtcStats=true'));
  } catch (e) {
    document.getElementById('updated').textContent = e.message;
  }
}

async function loadServer() {
  try {
    const c = await api('/config');
    document.getElementById('server').textContent = `OpenVidu ${c.VERSION} compatible · ${c.OPENVIDU_PUBLICURL}`;
  } catch (e) {
    document.getElementById('server').textContent = e.message;
  }
}

// ---- test call -------------------------------------------------------------

const test = { sessions: [], timer: 0, sessionId: '' };
window.govidu = test; // the dashboard's own browser test reads it

function status(text, cls = '') {
  const s = document.getElementById('test-status');
  s.textContent = text;
  s.className = 'status ' + cls;
}

async function token(sessionId, role) {
  const c = await api(`/sessions/${sessionId}/connection`, { method: 'POST', body: JSON.stringify({ role, data: 'dashboard' }) });
  return c.token;
}

async function receivedFrames(subscriber) {
  const pc = subscriber.stream.getRTCPeerConnection();
  if (!pc) return 0;
  let frames = 0;
  (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded || 0; });
  return frames;
}

async function startTest() {
  document.getElementById('test-start').disabled = true;
  document.getElementById('test-stop').disabled = false;
  test.frames = 0;
  test.error = '';
  try {
    test.sessionId = 'dashboard-test-' + Math.random().toString(36).slice(2, 8);
    status('creating session ' + test.sessionId + '…');
    await api('/sessions', { method: 'POST', body: JSON.stringify({ customSessionId: test.sessionId }) });
    const OV = window.OpenVidu.OpenVidu || window.OpenVidu;
    const ovSender = new OV();
    const sender = ovSender.initSession();
    const receiver = new OV().initSession();
    test.sessions = [sender, receiver];
    receiver.on('streamCreated', (ev) => {
      const sub = receiver.subscribe(ev.stream, 'remote');
      test.timer = setInterval(async () => {
        test.frames = await receivedFrames(sub);
        status(`receiving: ${test.frames} frames decoded`, test.frames > 0 ? 'ok' : '');
      }, 1000);
    });
    await receiver.connect(await token(test.sessionId, 'SUBSCRIBER'), 'dashboard receiver');
    await sender.connect(await token(test.sessionId, 'PUBLISHER'), 'dashboard sender');
    status('publishing camera and microphone…');
    const publisher = await ovSender.initPublisherAsync('local', { resolution: '640x480', frameRate: 30 });
    await sender.publish(publisher);
    status('published; waiting for media through the SFU…');
  } catch (e) {
    test.error = e && (e.message || e.name) || String(e);
    status('test call failed: ' + test.error, 'bad');
  }
}

async function stopTest() {
  clearInterval(test.timer);
  for (const s of test.sessions) { try { s.disconnect(); } catch { /* already gone */ } }
  test.sessions = [];
  if (test.sessionId) await api(`/sessions/${test.sessionId}`, { method: 'DELETE' }).catch(() => {});
  document.getElementById('local').replaceChildren();
  document.getElementById('remote').replaceChildren();
  document.getElementById('test-start').disabled = false;
  document.getElementById('test-stop').disabled = true;
  status('idle');
}

document.getElementById('test-start').addEventListener('click', startTest);
document.getElementById('test-stop').addEventListener('click', stopTest);
loadServer();
refresh();
setInterval(refresh, 2000);

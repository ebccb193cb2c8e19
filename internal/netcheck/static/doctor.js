'use strict';
// The visitor's network test: one data-channel PeerConnection per path,
// answered by the server (POST api/probe) with only the candidates of that
// path. Results are shown and kept in window.doctor for automation.
(function () {
  const $ = (id) => document.getElementById(id);
  const apiURL = (p) => new URL('api/' + p, location.href).toString();
  window.doctor = { done: false, running: false, results: [], verdict: '', summary: '' };

  class CheckError extends Error {
    constructor(message, fix) { super(message); this.fix = fix || ''; }
  }

  function withTimeout(promise, ms, message, fix) {
    let timer;
    return Promise.race([
      promise,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new CheckError(message, fix)), ms); }),
    ]).finally(() => clearTimeout(timer));
  }

  function gathered(pc, ms) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
      });
    });
  }

  function describeCandidate(c) {
    if (!c) return '?';
    let s = c.candidateType + ' ' + (c.protocol || '');
    if (c.relayProtocol) s += ' (relay over ' + c.relayProtocol + ')';
    if (c.address || c.ip) s += ' ' + (c.address || c.ip) + ':' + c.port;
    return s;
  }

  async function selectedPair(pc) {
    const stats = await pc.getStats();
    let id = '';
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) id = s.selectedCandidatePairId; });
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'candidate-pair' && (s.id === id || (!id && s.nominated && s.state === 'succeeded'))) pair = s;
    });
    if (!pair) return '';
    return describeCandidate(stats.get(pair.localCandidateId)) + ' → ' + describeCandidate(stats.get(pair.remoteCandidateId));
  }

  function median(values) {
    const v = values.slice().sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  }

  // probe opens the path of one check, measures five round trips and
  // reports the candidate pair the browser selected.
  async function probe(check) {
    const pc = new RTCPeerConnection({ iceServers: check.iceServers || [], iceTransportPolicy: check.relay ? 'relay' : 'all' });
    try {
      const dc = pc.createDataChannel('probe');
      const opened = new Promise((resolve) => { dc.onopen = resolve; });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, 6000);
      const sdp = pc.localDescription.sdp;
      if (check.relay && !/ typ relay /.test(sdp)) {
        throw new CheckError('your browser could not get a relay from ' + check.url + ' (no answer, or credentials refused)', check.fix);
      }
      const res = await fetch(apiURL('probe'), {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ transport: check.transport, sdp: sdp }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new CheckError(body.message || ('the server answered HTTP ' + res.status), '');
      await pc.setRemoteDescription({ type: 'answer', sdp: body.sdp });
      await withTimeout(opened, 10000, 'no connection within 10 s', check.fix);
      const rtts = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const echoed = new Promise((resolve) => { dc.onmessage = resolve; });
        dc.send('ping ' + i);
        await withTimeout(echoed, 3000, 'connected, but the server\'s echo did not come back', check.fix);
        rtts.push(performance.now() - t0);
      }
      return { rtt: Math.round(median(rtts)), pair: await selectedPair(pc) };
    } finally {
      pc.close();
    }
  }

  function turnChecks(cfg) {
    return cfg.iceServers.map((s) => {
      const url = s.urls[0];
      const tls = url.startsWith('turns:');
      const tcp = tls || /transport=tcp/.test(url);
      const m = /^turns?:([^?]+):(\d+)/.exec(url);
      const port = m ? m[2] : '?';
      const name = 'TURN over ' + (tls ? 'TLS' : tcp ? 'TCP' : 'UDP');
      return {
        name: name, transport: 'relay', relay: true, url: url, iceServers: [s],
        what: 'through the relay at ' + url,
        fix: 'Allow outgoing ' + (tcp ? 'TCP' : 'UDP') + ' to port ' + port + ' of this server (its TURN port).',
      };
    });
  }

  function checksFor(cfg) {
    const list = [{
      name: 'UDP', transport: 'udp', what: 'directly to the media port ' + cfg.udpPort + '/udp',
      fix: 'Allow outgoing UDP to port ' + cfg.udpPort + ' of this server (a firewall, VPN or proxy blocks it). Calls can still use TCP or TURN, with more latency.',
    }];
    if (cfg.tcpPort > 0) {
      list.push({
        name: 'TCP', transport: 'tcp', what: 'directly to the media port ' + cfg.tcpPort + '/tcp',
        fix: 'Allow outgoing TCP to port ' + cfg.tcpPort + ' of this server.',
      });
    } else {
      list.push({ name: 'TCP', skip: 'ICE over TCP is disabled on this server (GOVIDU_RTC_TCP_PORT=-1)' });
    }
    const turn = turnChecks(cfg);
    if (turn.length === 0) list.push({ name: 'TURN', skip: 'the embedded TURN server is disabled on this server (GOVIDU_TURN=false)' });
    return list.concat(turn);
  }

  function render() {
    const rows = window.doctor.results.map((r) => {
      const state = { ok: 'OK', failed: 'FAILED', skipped: 'not available', pending: 'testing…' }[r.state];
      let detail;
      if (r.state === 'ok') detail = escapeHTML(r.rtt + ' ms round trip · ' + r.pair);
      else if (r.state === 'failed') detail = escapeHTML(r.detail) + (r.fix ? '<div class="fix">' + escapeHTML(r.fix) + '</div>' : '');
      else detail = escapeHTML(r.detail || r.what || '');
      return '<tr class="' + r.state + '" data-check="' + escapeHTML(r.name) + '"><td>' + escapeHTML(r.name) +
        '</td><td class="state">' + state + '</td><td>' + detail + '</td></tr>';
    });
    $('checks').innerHTML = rows.join('');
  }

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[c]));
  }

  function conclude() {
    const by = (name) => window.doctor.results.find((r) => r.name === name && r.state === 'ok');
    const relay = window.doctor.results.find((r) => r.relay && r.state === 'ok');
    let verdict, text;
    if (by('UDP')) {
      verdict = 'ok'; text = 'Calls will work over UDP, the best path (' + by('UDP').rtt + ' ms round trip).';
    } else if (by('TCP')) {
      verdict = 'warn'; text = 'UDP is blocked on your network: calls will work over TCP, with more latency and less resilience to loss.';
    } else if (relay) {
      verdict = 'warn'; text = 'Direct paths are blocked on your network: calls will work through the TURN relay (' + relay.name + ').';
    } else {
      verdict = 'bad'; text = 'Your browser cannot reach this server\'s media: calls will not connect. See what to open above.';
    }
    window.doctor.verdict = verdict;
    window.doctor.summary = text;
    $('summary').className = 'panel ' + verdict;
    $('summary').textContent = text;
  }

  async function run() {
    if (window.doctor.running) return;
    window.doctor = { done: false, running: true, results: [], verdict: '', summary: '' };
    $('run').disabled = true;
    $('summary').className = 'panel';
    $('summary').textContent = 'Testing…';
    try {
      const res = await fetch(apiURL('config'), { cache: 'no-store' });
      if (!res.ok) throw new Error('GET api/config: HTTP ' + res.status);
      const checks = checksFor(await res.json());
      window.doctor.results = checks.map((c) => Object.assign({}, c, c.skip ? { state: 'skipped', detail: c.skip } : { state: 'pending' }));
      render();
      for (const r of window.doctor.results) {
        if (r.state === 'skipped') continue;
        try {
          Object.assign(r, await probe(r), { state: 'ok' });
        } catch (err) {
          Object.assign(r, { state: 'failed', detail: err.message || String(err), fix: err.fix !== undefined ? err.fix : r.fix });
        }
        render();
      }
      conclude();
    } catch (err) {
      window.doctor.verdict = 'bad';
      window.doctor.summary = 'The test could not start: ' + (err.message || err);
      $('summary').className = 'panel bad';
      $('summary').textContent = window.doctor.summary;
    } finally {
      window.doctor.running = false;
      window.doctor.done = true;
      $('run').disabled = false;
    }
  }

  $('run').addEventListener('click', run);
  if (new URLSearchParams(location.search).has('run')) run();
})();

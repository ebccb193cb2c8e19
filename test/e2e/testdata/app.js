// A minimal video-call app written the way openvidu-js-tutorial apps are:
// it only uses the public API of openvidu-browser, so that it runs
// unchanged on the unmodified upstream bundle and on govidu's SDK.
// Everything the Go test needs to see is kept in window.app.state (plain
// JSON); the test drives the app through window.app.join/signal/leave and
// reads media through window.app.stats().
(function () {
  'use strict';

  const t0 = Date.now();
  const state = {
    libraryLoaded: typeof OpenVidu === 'function',
    sdk: document.getElementById('sdk').dataset.sdk, // which library the page loaded
    sdkSrc: document.getElementById('sdk').src,
    joining: false,
    connected: false,
    connectError: null, // {code, name, message}
    connectionId: null,
    sessionId: null,
    connections: {}, // connectionId -> data, from connectionCreated
    connectionDestroyed: [], // {connectionId, reason}
    remoteStreams: {}, // streamId -> {connectionId, hasAudio, hasVideo, playing, subscribed}
    streamDestroyed: [], // {streamId, connectionId, reason, local}
    signals: [], // {type, data, from}
    signalResults: [], // {ok, error}
    propertyChanges: [], // streamPropertyChanged {streamId, property, newValue, reason, local}
    remoteActive: {}, // streamId -> {audioActive, videoActive} as the Stream objects say now
    moderation: [], // results of forceDisconnect/forceUnpublish {what, ok, error}
    sessionDisconnected: null, // {reason}
    publisher: null, // {streamId, accessAllowed, published, playing}
    exceptions: [], // ExceptionEvent {name, message}
    errors: [], // anything else that went wrong
    reconnecting: 0,
    reconnected: 0,
    events: [], // [ms since load, name, detail] in order
  };

  let OV = null;
  let session = null;
  let publisher = null;
  const subscribers = new Map(); // connectionId -> Subscriber

  function log(name, detail) {
    state.events.push([Date.now() - t0, name, detail === undefined ? null : detail]);
  }

  function errorInfo(err) {
    if (err === undefined || err === null) return { message: String(err) };
    return {
      code: err.code === undefined ? null : err.code,
      name: err.name === undefined ? null : String(err.name),
      message: err.message === undefined ? String(err) : String(err.message),
    };
  }

  function tile(parent, label) {
    const div = document.createElement('div');
    div.className = 'tile';
    const caption = document.createElement('div');
    caption.textContent = label;
    div.appendChild(caption);
    parent.appendChild(div);
    return div;
  }

  function subscribe(stream) {
    const cid = stream.connection.connectionId;
    const info = {
      connectionId: cid,
      data: stream.connection.data,
      hasAudio: stream.hasAudio,
      hasVideo: stream.hasVideo,
      audioActive: stream.audioActive, // as announced when the stream appeared
      videoActive: stream.videoActive,
      subscribed: false,
      playing: false,
    };
    state.remoteStreams[stream.streamId] = info;
    const holder = tile(document.getElementById('subscribers'), stream.connection.data || cid);
    holder.id = 'tile-' + cid;
    const subscriber = session.subscribe(stream, holder, { insertMode: 'APPEND' }, (err) => {
      if (err) {
        state.errors.push({ where: 'subscribe ' + stream.streamId, error: errorInfo(err) });
        log('subscribeError', errorInfo(err));
      } else {
        info.subscribed = true;
      }
    });
    subscriber.on('videoElementCreated', (e) => {
      e.element.dataset.connectionId = cid;
      e.element.id = 'video-' + cid;
    });
    subscriber.on('streamPlaying', () => {
      info.playing = true;
      log('subscriberStreamPlaying', stream.streamId);
    });
    subscribers.set(cid, subscriber);
  }

  function wireSession() {
    session.on('connectionCreated', (e) => {
      state.connections[e.connection.connectionId] = e.connection.data;
      log('connectionCreated', e.connection.connectionId);
    });
    session.on('connectionDestroyed', (e) => {
      state.connectionDestroyed.push({ connectionId: e.connection.connectionId, reason: e.reason });
      log('connectionDestroyed', { connectionId: e.connection.connectionId, reason: e.reason });
    });
    session.on('streamCreated', (e) => {
      log('streamCreated', e.stream.streamId);
      subscribe(e.stream);
    });
    session.on('streamDestroyed', (e) => {
      const cid = e.stream.connection.connectionId;
      state.streamDestroyed.push({ streamId: e.stream.streamId, connectionId: cid, reason: e.reason, local: false });
      log('streamDestroyed', { streamId: e.stream.streamId, reason: e.reason });
      subscribers.delete(cid);
      const holder = document.getElementById('tile-' + cid);
      if (holder) holder.remove();
    });
    session.on('signal', (e) => {
      const s = { type: e.type, data: e.data, from: e.from ? e.from.connectionId : null };
      state.signals.push(s);
      log('signal', s);
    });
    session.on('sessionDisconnected', (e) => {
      state.sessionDisconnected = { reason: e.reason };
      state.connected = false;
      log('sessionDisconnected', e.reason);
    });
    session.on('streamPropertyChanged', (e) => {
      const c = {
        streamId: e.stream.streamId,
        property: e.changedProperty,
        newValue: e.newValue,
        reason: e.reason,
        local: e.stream.connection.connectionId === state.connectionId,
      };
      state.propertyChanges.push(c);
      log('streamPropertyChanged', c);
      if (!c.local) {
        state.remoteActive[e.stream.streamId] = { audioActive: e.stream.audioActive, videoActive: e.stream.videoActive };
      }
    });
    session.on('reconnecting', () => {
      state.reconnecting++;
      log('reconnecting');
    });
    session.on('reconnected', () => {
      state.reconnected++;
      log('reconnected');
    });
    session.on('exception', (e) => {
      const x = { name: e.name, message: e.message };
      state.exceptions.push(x);
      log('exception', x);
    });
  }

  function startPublisher(opts) {
    const old = document.getElementById('publisher');
    old.replaceChildren();
    const holder = tile(old, 'me');
    state.publisher = { streamId: null, accessAllowed: false, published: false, playing: false };
    publisher = OV.initPublisher(holder, {
      audioSource: undefined, // default (fake) microphone
      videoSource: undefined, // default (fake) camera
      publishAudio: true,
      publishVideo: true,
      resolution: opts.resolution || '320x240',
      frameRate: opts.frameRate || 15,
      insertMode: 'APPEND',
      mirror: false,
    });
    publisher.on('accessAllowed', () => {
      state.publisher.accessAllowed = true;
      log('accessAllowed');
    });
    publisher.on('accessDenied', (e) => {
      state.errors.push({ where: 'accessDenied', error: errorInfo(e) });
    });
    publisher.on('streamCreated', (e) => {
      state.publisher.streamId = e.stream.streamId;
      state.publisher.published = true;
      log('publisherStreamCreated', e.stream.streamId);
    });
    publisher.on('streamPlaying', () => {
      state.publisher.playing = true;
    });
    publisher.on('streamDestroyed', (e) => {
      state.streamDestroyed.push({ streamId: e.stream.streamId, connectionId: state.connectionId, reason: e.reason, local: true });
      state.publisher.published = false;
      log('publisherStreamDestroyed', { streamId: e.stream.streamId, reason: e.reason });
    });
    session.publish(publisher).catch((err) => {
      state.errors.push({ where: 'publish', error: errorInfo(err) });
      log('publishError', errorInfo(err));
    });
  }

  // join connects with the token and, if opts.publish, publishes camera and
  // microphone. It returns at once: the test polls state.
  function join(token, opts) {
    opts = opts || {};
    state.joining = true;
    state.connected = false;
    state.connectError = null;
    OV = new OpenVidu();
    if (opts.relay) {
      // "Force TURN", as apps do for restrictive networks: the server's
      // customIceServers stay in use, only relay candidates are allowed.
      OV.setAdvancedConfiguration({ rtcConfiguration: { iceTransportPolicy: 'relay' } });
    }
    session = OV.initSession();
    wireSession();
    session
      .connect(token, { clientData: opts.clientData || '' })
      .then(() => {
        state.connected = true;
        state.connectionId = session.connection.connectionId;
        state.sessionId = session.sessionId;
        document.getElementById('me').textContent = (opts.clientData || '') + ' ' + state.connectionId;
        log('connected', state.connectionId);
        if (opts.publish) startPublisher(opts);
      })
      .catch((err) => {
        state.connectError = errorInfo(err);
        log('connectError', state.connectError);
      });
    return true;
  }

  function signal(type, data, to) {
    const msg = { type: type, data: data };
    if (to) msg.to = to.map((cid) => session.remoteConnections.get(cid) || session.connection);
    session
      .signal(msg)
      .then(() => state.signalResults.push({ ok: true }))
      .catch((err) => state.signalResults.push({ ok: false, error: errorInfo(err) }));
    return true;
  }

  // unpublish stops publishing; publish starts again with a new Publisher.
  function unpublish() {
    session.unpublish(publisher).catch((err) => state.errors.push({ where: 'unpublish', error: errorInfo(err) }));
    return true;
  }

  function publish(opts) {
    startPublisher(opts || {});
    return true;
  }

  // unsubscribe drops the subscription to a remote connection's stream.
  function unsubscribe(connectionId) {
    const sub = subscribers.get(connectionId);
    subscribers.delete(connectionId);
    session.unsubscribe(sub).catch((err) => state.errors.push({ where: 'unsubscribe', error: errorInfo(err) }));
    const holder = document.getElementById('tile-' + connectionId);
    if (holder) holder.remove();
    return true;
  }

  // mute turns the published audio or video off (true) or on (false).
  function mute(kind, muted) {
    if (kind === 'audio') publisher.publishAudio(!muted);
    else publisher.publishVideo(!muted);
    return true;
  }

  // Moderator actions from the browser.
  function moderate(what, promise) {
    promise
      .then(() => state.moderation.push({ what: what, ok: true }))
      .catch((err) => state.moderation.push({ what: what, ok: false, error: errorInfo(err) }));
    return true;
  }

  function forceDisconnect(connectionId) {
    const c = session.remoteConnections.get(connectionId);
    return moderate('forceDisconnect ' + connectionId, session.forceDisconnect(c));
  }

  function forceUnpublish(streamId) {
    let stream = null;
    session.remoteConnections.forEach((c) => {
      if (c.stream && c.stream.streamId === streamId) stream = c.stream;
    });
    return moderate('forceUnpublish ' + streamId, session.forceUnpublish(stream));
  }

  function leave() {
    session.disconnect();
    return true;
  }

  function pick(s, keys) {
    const o = {};
    for (const k of keys) if (s[k] !== undefined) o[k] = s[k];
    return o;
  }

  // selectedPair names the candidate pair the transport uses, so the test can
  // check that media stays on loopback.
  function selectedPair(report) {
    let pairId = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    if (!pairId) {
      report.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId = s.id;
      });
    }
    if (!pairId) return null;
    const pair = report.get(pairId);
    const local = report.get(pair.localCandidateId) || {};
    const remote = report.get(pair.remoteCandidateId) || {};
    return {
      local: pick(local, ['address', 'port', 'protocol', 'candidateType', 'relayProtocol', 'url']),
      remote: pick(remote, ['address', 'port', 'protocol', 'candidateType']),
    };
  }

  // pixels samples the video element into a small canvas: how many pixels
  // are clearly not black, the mean brightness and the mean colour.
  function pixels(video) {
    if (!video || video.videoWidth === 0) return null;
    const w = 64,
      h = 48;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    const d = ctx.getImageData(0, 0, w, h).data;
    let lit = 0,
      sum = 0,
      r = 0,
      g = 0,
      b = 0;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y;
      if (y > 32) lit++;
      r += d[i];
      g += d[i + 1];
      b += d[i + 2];
    }
    const n = w * h;
    return { litFraction: lit / n, meanLuma: sum / n, meanRGB: [r / n, g / n, b / n] };
  }

  // iceServers lists the STUN/TURN URLs the library configured: the
  // server's customIceServers, or else its public fallback list.
  function iceServers(pc) {
    const out = [];
    for (const s of pc.getConfiguration().iceServers || []) {
      for (const u of [].concat(s.urls || s.url || [])) out.push(u);
    }
    return out;
  }

  async function inbound(pc) {
    const r = { video: null, audio: null, pair: null, iceConnectionState: pc.iceConnectionState, connectionState: pc.connectionState, iceServers: iceServers(pc) };
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        r.video = pick(s, ['packetsReceived', 'bytesReceived', 'packetsLost', 'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'frameWidth', 'frameHeight', 'nackCount', 'pliCount', 'firCount', 'decoderImplementation']);
        const codec = s.codecId && report.get(s.codecId);
        if (codec) r.video.codec = codec.mimeType;
      } else if (s.kind === 'audio') {
        r.audio = pick(s, ['packetsReceived', 'bytesReceived', 'packetsLost', 'totalSamplesReceived', 'concealedSamples', 'audioLevel', 'totalAudioEnergy']);
      }
    });
    r.pair = selectedPair(report);
    return r;
  }

  async function outbound(pc) {
    const r = { video: null, audio: null, pair: null, iceConnectionState: pc.iceConnectionState, connectionState: pc.connectionState, iceServers: iceServers(pc) };
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      if (s.kind === 'video') r.video = pick(s, ['packetsSent', 'bytesSent', 'framesEncoded', 'frameWidth', 'frameHeight', 'nackCount', 'pliCount', 'firCount', 'keyFramesEncoded']);
      else if (s.kind === 'audio') r.audio = pick(s, ['packetsSent', 'bytesSent']);
    });
    r.pair = selectedPair(report);
    return r;
  }

  // stats reports, for the publisher and for every subscriber (by the remote
  // connection id), WebRTC statistics and what the <video> shows.
  async function stats() {
    const out = { publisher: null, remotes: {} };
    if (publisher && publisher.stream && publisher.stream.getRTCPeerConnection()) {
      out.publisher = await outbound(publisher.stream.getRTCPeerConnection());
    }
    for (const [cid, sub] of subscribers) {
      const r = { streamId: sub.stream.streamId, pc: null, element: null, pixels: null };
      const pc = sub.stream.getRTCPeerConnection();
      if (pc) r.pc = await inbound(pc);
      const video = document.getElementById('video-' + cid);
      if (video) {
        const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : {};
        r.element = {
          videoWidth: video.videoWidth,
          videoHeight: video.videoHeight,
          currentTime: video.currentTime,
          paused: video.paused,
          readyState: video.readyState,
          totalVideoFrames: q.totalVideoFrames === undefined ? null : q.totalVideoFrames,
        };
        r.pixels = pixels(video);
      }
      out.remotes[cid] = r;
    }
    return out;
  }

  window.app = {
    state: state,
    join: join,
    signal: signal,
    mute: mute,
    unpublish: unpublish,
    publish: publish,
    unsubscribe: unsubscribe,
    forceDisconnect: forceDisconnect,
    forceUnpublish: forceUnpublish,
    leave: leave,
    stats: stats,
  };
})();

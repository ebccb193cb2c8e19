// Test harness evaluated in a page of govidu's own origin after it loaded
// /openvidu-browser.js (our SDK). The Go test drives it through window.T.
(() => {
  const T = (window.T = { log: [], subs: {}, signals: [], disconnected: [], errors: [] });
  const note = (s) => T.log.push(((performance.now() / 1000).toFixed(3)) + ' ' + s);
  T.note = note;

  T.sdkInfo = async () => {
    const esm = await import('/openvidu-browser.esm.js');
    return {
      isClass: typeof OpenVidu === 'function',
      ownNames: typeof OpenVidu.OpenViduError === 'function' && typeof OpenVidu.Session === 'function',
      version: new OpenVidu().libraryVersion,
      esm: typeof esm.OpenVidu === 'function' && esm.OpenViduErrorName.DEVICE_ACCESS_DENIED === 'DEVICE_ACCESS_DENIED',
    };
  };

  T.join = async (token, name) => {
    const OV = new OpenVidu();
    OV.enableProdMode();
    T.OV = OV;
    const session = OV.initSession();
    T.session = session;
    session.on('connectionCreated', (e) => note('connectionCreated ' + e.connection.connectionId));
    session.on('streamCreated', (e) => {
      note('streamCreated ' + e.stream.streamId);
      const sub = session.subscribe(e.stream, 'remote', { insertMode: 'APPEND' }, (err) => {
        if (err) T.errors.push('subscribe: ' + (err.message || err));
      });
      T.subs[e.stream.connection.connectionId] = sub;
      sub.on('streamPlaying', () => note('streamPlaying ' + e.stream.streamId));
    });
    session.on('streamDestroyed', (e) => note('streamDestroyed ' + e.stream.streamId + ' ' + e.reason));
    session.on('signal:chat', (e) => T.signals.push({ data: e.data, from: e.from && e.from.connectionId, type: e.type }));
    session.on('reconnecting', () => note('reconnecting'));
    session.on('reconnected', () => note('reconnected'));
    session.on('sessionDisconnected', (e) => {
      note('sessionDisconnected ' + e.reason);
      T.disconnected.push(e.reason);
    });
    session.on('publisherStartSpeaking', (e) => note('speaking ' + e.connection.connectionId));
    session.on('exception', (e) => note('exception ' + e.name + ' ' + e.message));
    await session.connect(token, { clientData: name });
    // As the tutorials do: publish right away, while the camera is still opening.
    const pub = OV.initPublisher('local', { resolution: '320x240', frameRate: 15, insertMode: 'APPEND' });
    T.pub = pub;
    pub.on('accessAllowed', () => note('accessAllowed'));
    pub.on('streamCreated', (e) => note('published ' + e.stream.streamId));
    await session.publish(pub);
    return { connectionId: session.connection.connectionId, streamId: pub.stream.streamId };
  };

  // Video of the subscriber to connectionId: decoder stats and pixels.
  T.media = async (connectionId) => {
    const sub = T.subs[connectionId];
    if (!sub) return { error: 'no subscriber for ' + connectionId };
    const pc = sub.stream.getRTCPeerConnection();
    if (!pc) return { error: 'no PeerConnection yet' };
    const r = { ice: pc.iceConnectionState, framesDecoded: 0, width: 0, height: 0, videos: sub.videos.length };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        r.framesDecoded = s.framesDecoded || 0;
        r.width = s.frameWidth || 0;
        r.height = s.frameHeight || 0;
      }
    });
    const video = sub.videos[0] && sub.videos[0].video;
    if (video && video.videoWidth > 0) {
      const c = document.createElement('canvas');
      c.width = 64;
      c.height = 48;
      const g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(video, 0, 0, 64, 48);
      const d = g.getImageData(0, 0, 64, 48).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2] > 32) lit++;
      r.litFraction = lit / (64 * 48);
    }
    return r;
  };

  T.tryInitPublisher = async () => {
    try {
      await new OpenVidu().initPublisherAsync(undefined, { resolution: '320x240' });
      return { ok: true };
    } catch (e) {
      return { ok: false, name: e.name, message: e.message, isOpenViduError: e instanceof OpenVidu.OpenViduError };
    }
  };

  T.tryConnect = async (token) => {
    const s = new OpenVidu().initSession();
    try {
      await s.connect(token);
      return { ok: true };
    } catch (e) {
      return { ok: false, code: e.code, message: e.message };
    }
  };
})();

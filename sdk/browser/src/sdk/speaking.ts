// Speaking detection from a WebAudio analyser (no hark): every `interval` ms
// the loudest frequency bin, in dB, is compared with `threshold`.

/** Hysteresis over volume samples: quick to start, slow to stop. */
export class SpeakingDetector {
    speaking = false;
    private history: boolean[] = [];

    constructor(public threshold: number, private readonly historyLength = 10) {}

    /** Feeds one sample; returns 'start' or 'stop' on a change of state. */
    push(db: number): 'start' | 'stop' | null {
        const loud = db > this.threshold;
        this.history.push(loud);
        if (this.history.length > this.historyLength) this.history.shift();
        if (!this.speaking && loud) {
            // Two loud samples among the last three.
            if (this.history.slice(-3).filter(Boolean).length >= 2) {
                this.speaking = true;
                return 'start';
            }
        } else if (this.speaking && !loud) {
            // Quiet for the whole history.
            if (this.history.length >= this.historyLength && !this.history.some(Boolean)) {
                this.speaking = false;
                return 'stop';
            }
        }
        return null;
    }
}

let sharedContext: AudioContext | undefined;

function audioContext(): AudioContext | undefined {
    const Ctor: typeof AudioContext | undefined = (globalThis as any).AudioContext ?? (globalThis as any).webkitAudioContext;
    if (!Ctor) return undefined;
    if (!sharedContext || sharedContext.state === 'closed') sharedContext = new Ctor();
    if (sharedContext.state === 'suspended') void sharedContext.resume().catch(() => {});
    return sharedContext;
}

export interface VolumeSample {
    db: number;
    previous: number;
}

/** Samples the volume of a MediaStream's audio until stop(). */
export class VolumeMonitor implements LevelSource {
    private timer: ReturnType<typeof setInterval> | undefined;
    private source: MediaStreamAudioSourceNode | undefined;
    private analyser: AnalyserNode | undefined;
    private previous = -100;

    constructor(stream: MediaStream, interval: number, onSample: (s: VolumeSample) => void) {
        const ctx = audioContext();
        if (!ctx || stream.getAudioTracks().length === 0) return;
        this.analyser = ctx.createAnalyser();
        this.analyser.fftSize = 512;
        this.analyser.smoothingTimeConstant = 0.1;
        this.source = ctx.createMediaStreamSource(stream);
        this.source.connect(this.analyser);
        const bins = new Float32Array(this.analyser.frequencyBinCount);
        this.timer = setInterval(() => {
            if (!this.analyser) return;
            this.analyser.getFloatFrequencyData(bins);
            let max = -Infinity;
            for (let i = 4; i < bins.length; i++) if (bins[i] > max && bins[i] < 0) max = bins[i];
            const db = Number.isFinite(max) ? Math.max(max, -100) : -100;
            const previous = this.previous;
            this.previous = db;
            onSample({ db, previous });
        }, interval);
    }

    get running(): boolean {
        return this.timer !== undefined;
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        try {
            this.source?.disconnect();
        } catch {
            // already disconnected
        }
        this.source = undefined;
        this.analyser = undefined;
    }
}

/** A monitor: running while it samples; stop() ends it. */
export interface LevelSource {
    readonly running: boolean;
    stop(): void;
}

/**
 * ReceivedLevelMonitor samples the level of received audio as the WebRTC
 * stack measures it (RTCRtpReceiver.getSynchronizationSources, 0..1), in
 * dB. Remote streams use it instead of a WebAudio analyser: Chromium's
 * WebAudio source of a remote stream can stay silent, depending on when it
 * was made relative to the media element playing the stream.
 */
export class ReceivedLevelMonitor implements LevelSource {
    private timer: ReturnType<typeof setInterval> | undefined;
    private previous = -100;

    constructor(level: () => number | undefined, interval: number, onSample: (s: VolumeSample) => void) {
        this.timer = setInterval(() => {
            const v = level();
            const db = v !== undefined && v > 0 ? Math.max(20 * Math.log10(v), -100) : -100;
            const previous = this.previous;
            this.previous = db;
            onSample({ db, previous });
        }, interval);
    }

    get running(): boolean {
        return this.timer !== undefined;
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }
}

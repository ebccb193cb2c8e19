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
/** A monitor: running while it samples; stop() ends it. */
export interface LevelSource {
    readonly running: boolean;
    stop(): void;
}

/** Samples a level in dB every interval until stopped. */
abstract class LevelSampler implements LevelSource {
    private timer: ReturnType<typeof setInterval> | undefined;
    private previous = -100;

    protected start(interval: number, measure: () => number, onSample: (s: VolumeSample) => void): void {
        this.timer = setInterval(() => {
            const db = measure();
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

/** VolumeMonitor measures a stream with a WebAudio analyser (local streams). */
export class VolumeMonitor extends LevelSampler {
    private source: MediaStreamAudioSourceNode | undefined;

    constructor(stream: MediaStream, interval: number, onSample: (s: VolumeSample) => void) {
        super();
        const ctx = audioContext();
        if (!ctx || stream.getAudioTracks().length === 0) return;
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 512;
        analyser.smoothingTimeConstant = 0.1;
        this.source = ctx.createMediaStreamSource(stream);
        this.source.connect(analyser);
        const bins = new Float32Array(analyser.frequencyBinCount);
        this.start(
            interval,
            () => {
                analyser.getFloatFrequencyData(bins);
                let max = -Infinity;
                for (let i = 4; i < bins.length; i++) if (bins[i] > max && bins[i] < 0) max = bins[i];
                return Number.isFinite(max) ? Math.max(max, -100) : -100;
            },
            onSample
        );
    }

    override stop(): void {
        super.stop();
        try {
            this.source?.disconnect();
        } catch {
            // already disconnected
        }
        this.source = undefined;
    }
}

/**
 * ReceivedLevelMonitor samples the level of received audio as the WebRTC
 * stack measures it (0..1, see PeerConnection.receivedAudioLevel), in dB.
 * Remote streams use it instead of a WebAudio analyser: Chromium's WebAudio
 * source of a remote stream can stay silent, depending on when it was made
 * relative to the media element playing the stream.
 */
export class ReceivedLevelMonitor extends LevelSampler {
    constructor(level: () => number | undefined, interval: number, onSample: (s: VolumeSample) => void) {
        super();
        this.start(
            interval,
            () => {
                const v = level();
                return v !== undefined && v > 0 ? Math.max(20 * Math.log10(v), -100) : -100;
            },
            onSample
        );
    }
}

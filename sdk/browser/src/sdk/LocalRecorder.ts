import { LocalRecorderState } from './enums.js';
import type { Stream } from './Stream.js';

/** Records a Stream in the browser with MediaRecorder. */
export class LocalRecorder {
    state = LocalRecorderState.READY;
    private recorder?: MediaRecorder;
    private chunks: Blob[] = [];
    private blob?: Blob;
    private id: string;
    private previewUrl?: string;
    private previewVideo?: HTMLVideoElement;

    constructor(private stream: Stream) {
        this.id = stream.streamId + '_' + stream.connection?.connectionId + '_localrecord';
    }

    record(options?: any): Promise<void> {
        return new Promise((resolve, reject) => {
            if (typeof MediaRecorder === 'undefined') return reject(new Error('MediaRecorder is not supported by this browser'));
            if (this.state !== LocalRecorderState.READY) return reject(new Error(`LocalRecorder is ${this.state}: call clean() first`));
            const opts = typeof options === 'string' ? { mimeType: options } : options;
            try {
                this.recorder = new MediaRecorder(this.stream.getMediaStream(), opts);
            } catch (e) {
                return reject(e);
            }
            this.chunks = [];
            this.recorder.ondataavailable = (e) => {
                if (e.data.size > 0) this.chunks.push(e.data);
            };
            this.recorder.onstart = () => {
                this.state = LocalRecorderState.RECORDING;
                resolve();
            };
            this.recorder.onerror = (e) => reject(e);
            this.recorder.start();
        });
    }

    stop(): Promise<void> {
        return new Promise((resolve, reject) => {
            const r = this.recorder;
            if (!r || this.state === LocalRecorderState.READY || this.state === LocalRecorderState.FINISHED) {
                return reject(new Error(`LocalRecorder is ${this.state}: nothing to stop`));
            }
            r.onstop = () => {
                this.blob = new Blob(this.chunks, { type: r.mimeType || 'video/webm' });
                this.chunks = [];
                this.state = LocalRecorderState.FINISHED;
                resolve();
            };
            r.stop();
        });
    }

    async pause(): Promise<void> {
        if (this.state !== LocalRecorderState.RECORDING || !this.recorder) throw new Error(`LocalRecorder is ${this.state}: cannot pause`);
        this.recorder.pause();
        this.state = LocalRecorderState.PAUSED;
    }

    async resume(): Promise<void> {
        if (this.state !== LocalRecorderState.PAUSED || !this.recorder) throw new Error(`LocalRecorder is ${this.state}: cannot resume`);
        this.recorder.resume();
        this.state = LocalRecorderState.RECORDING;
    }

    /** A video element playing the recording, appended to parentElement if given. */
    preview(parentElement?: any): HTMLVideoElement {
        if (this.state !== LocalRecorderState.FINISHED || !this.blob) throw new Error('LocalRecorder has no finished recording');
        const video = document.createElement('video');
        video.id = this.id;
        video.autoplay = true;
        video.controls = true;
        video.playsInline = true;
        this.previewUrl = URL.createObjectURL(this.blob);
        video.src = this.previewUrl;
        const parent = typeof parentElement === 'string' ? document.getElementById(parentElement) : parentElement;
        parent?.appendChild(video);
        this.previewVideo = video;
        return video;
    }

    clean(): void {
        if (this.recorder && this.state !== LocalRecorderState.FINISHED && this.recorder.state !== 'inactive') this.recorder.stop();
        this.recorder = undefined;
        this.chunks = [];
        this.blob = undefined;
        if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
        this.previewVideo?.remove();
        this.previewUrl = undefined;
        this.previewVideo = undefined;
        this.state = LocalRecorderState.READY;
    }

    download(): void {
        const blob = this.getBlob();
        const a = document.createElement('a');
        a.style.display = 'none';
        a.href = URL.createObjectURL(blob);
        a.download = this.id + '.webm';
        document.body.appendChild(a);
        a.click();
        setTimeout(() => {
            URL.revokeObjectURL(a.href);
            a.remove();
        }, 100);
    }

    getBlob(): Blob {
        if (!this.blob) throw new Error('LocalRecorder has no finished recording');
        return this.blob;
    }

    async uploadAsBinary(endpoint: string, headers?: any): Promise<any> {
        const res = await fetch(endpoint, { method: 'POST', headers, body: this.getBlob() });
        if (!res.ok) throw new Error(`upload failed: HTTP ${res.status}`);
        return res.text();
    }

    async uploadAsMultipartfile(endpoint: string, headers?: any): Promise<any> {
        const form = new FormData();
        form.append('file', this.getBlob(), this.id + '.webm');
        const res = await fetch(endpoint, { method: 'POST', headers, body: form });
        if (!res.ok) throw new Error(`upload failed: HTTP ${res.status}`);
        return res.text();
    }
}

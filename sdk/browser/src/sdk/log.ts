// The SDK's console output. Info lines go to console.debug and disappear
// with OpenVidu.enableProdMode(); warnings and errors always show.

let prod = false;

export const log = {
    setProd(v: boolean) {
        prod = v;
    },
    info(...args: unknown[]) {
        if (!prod) console.debug('[OpenVidu]', ...args);
    },
    warn(...args: unknown[]) {
        console.warn('[OpenVidu]', ...args);
    },
    error(...args: unknown[]) {
        console.error('[OpenVidu]', ...args);
    }
};

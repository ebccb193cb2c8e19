// A human-readable platform string for joinRoom ("Chrome 131.0.0.0 on Linux 64-bit").

export function describeUserAgent(ua: string): string {
    const browsers: [string, RegExp][] = [
        ['Edge', /Edg(?:e|A|iOS)?\/([\d.]+)/],
        ['Opera', /OPR\/([\d.]+)/],
        ['Firefox', /Firefox\/([\d.]+)/],
        ['Chrome', /(?:Chrome|CriOS|HeadlessChrome)\/([\d.]+)/],
        ['Safari', /Version\/([\d.]+).*Safari/]
    ];
    let browser = '';
    for (const [name, re] of browsers) {
        const m = re.exec(ua);
        if (m) {
            browser = `${name} ${m[1]}`;
            break;
        }
    }
    const oses: [string, RegExp][] = [
        ['Android', /Android/],
        ['iOS', /iPhone|iPad|iPod/],
        ['Windows', /Windows/],
        ['OS X', /Mac OS X/],
        ['Linux', /Linux|X11/]
    ];
    let os = '';
    for (const [name, re] of oses) {
        if (re.test(ua)) {
            os = name;
            break;
        }
    }
    if (os === 'Linux' && /x86_64|x64|amd64|WOW64|aarch64/.test(ua)) os += ' 64-bit';
    if (!browser) return os ? 'unknown on ' + os : 'unknown';
    return os ? `${browser} on ${os}` : browser;
}

export function platformName(): string {
    return typeof navigator !== 'undefined' && navigator.userAgent ? describeUserAgent(navigator.userAgent) : 'unknown';
}

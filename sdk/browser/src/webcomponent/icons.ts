// Our own stroke icons (24×24, currentColor).

const icon = (body: string, extra = '') =>
    `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"${extra}>${body}</svg>`;

const slash = '<path d="M3.5 3.5l17 17"/>';
const micBody = '<rect x="9" y="2.5" width="6" height="12" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0"/><path d="M12 17.5V21"/>';
const camBody = '<rect x="2.5" y="6" width="13" height="12" rx="2.5"/><path d="M15.5 10.5l6-3.5v10l-6-3.5z"/>';
const screenBody = '<rect x="2.5" y="3.5" width="19" height="13" rx="2"/><path d="M8 20.5h8M12 16.5v4"/>';
const speakerBody = '<path d="M3.5 9.5h3.5l5-4v13l-5-4H3.5z"/>';

export const icons = {
    mic: icon(micBody),
    micOff: icon(micBody + slash),
    cam: icon(camBody),
    camOff: icon(camBody + slash),
    screen: icon(screenBody + '<path d="M12 13.5V7.5M9.2 10.2L12 7.4l2.8 2.8"/>'),
    screenStop: icon(screenBody + '<path d="M9.5 7.5l5 5M14.5 7.5l-5 5"/>'),
    hand: icon(
        '<path d="M8.5 12.5V5.2a1.6 1.6 0 0 1 3.2 0v5.8M11.7 10.5V3.8a1.6 1.6 0 0 1 3.2 0v7.2M14.9 10.8V5.6a1.6 1.6 0 0 1 3.2 0v8.2c0 4.3-2.9 7.7-6.6 7.7-2.6 0-4-1.2-5.3-3.3L3.6 13.7a1.7 1.7 0 0 1 2.8-1.9l2.1 2.6"/>'
    ),
    chat: icon('<path d="M4 4.5h16a1.5 1.5 0 0 1 1.5 1.5v10a1.5 1.5 0 0 1-1.5 1.5H9l-5 4v-4A1.5 1.5 0 0 1 2.5 16V6A1.5 1.5 0 0 1 4 4.5z"/><path d="M7 9.5h10M7 13h6"/>'),
    users: icon('<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20.5c.4-3.6 3.1-5.8 6.5-5.8s6.1 2.2 6.5 5.8"/><path d="M15.5 4.6a3.5 3.5 0 0 1 0 6.8M17.8 14.9c2.1.7 3.4 2.6 3.7 5.6"/>'),
    leave: icon(
        '<path fill="currentColor" stroke="none" d="M12 8.2c-3.7 0-7.1 1.1-9.4 3.2-.6.5-.7 1.4-.2 2l1.7 2.1c.4.5 1.1.7 1.7.4l2.7-1.3c.5-.2.8-.7.8-1.3V11.1c1.8-.6 3.8-.6 5.6 0v2.2c0 .6.3 1.1.8 1.3l2.7 1.3c.6.3 1.3.1 1.7-.4l1.7-2.1c.5-.6.4-1.5-.2-2-2.3-2.1-5.7-3.2-9.4-3.2z"/>'
    ),
    fullscreen: icon('<path d="M3.5 9V3.5H9M15 3.5h5.5V9M20.5 15v5.5H15M9 20.5H3.5V15"/>'),
    exitFullscreen: icon('<path d="M9 3.5V9H3.5M20.5 9H15V3.5M15 20.5V15h5.5M3.5 15H9v5.5"/>'),
    settings: icon('<path d="M4 6.5h9M17 6.5h3M4 12h3M11 12h9M4 17.5h11M19 17.5h1"/><circle cx="15" cy="6.5" r="2"/><circle cx="9" cy="12" r="2"/><circle cx="17" cy="17.5" r="2"/>'),
    more: icon('<circle cx="12" cy="5.5" r="1.2" fill="currentColor"/><circle cx="12" cy="12" r="1.2" fill="currentColor"/><circle cx="12" cy="18.5" r="1.2" fill="currentColor"/>'),
    activity: icon('<path d="M2.5 12h4l3-7.5 5 15 3-7.5h4"/>'),
    record: icon('<circle cx="12" cy="12" r="8.5"/><circle cx="12" cy="12" r="4" fill="currentColor"/>'),
    broadcast: icon('<circle cx="12" cy="12" r="2"/><path d="M7.8 16.2a6 6 0 0 1 0-8.4M16.2 7.8a6 6 0 0 1 0 8.4M4.9 19.1a10 10 0 0 1 0-14.2M19.1 4.9a10 10 0 0 1 0 14.2"/>'),
    send: icon('<path d="M21 3L10.5 13.5M21 3l-6.5 18-4-7.5L3 9.5z"/>'),
    close: icon('<path d="M6 6l12 12M18 6L6 18"/>'),
    link: icon('<path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1"/><path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1"/>'),
    pin: icon('<path d="M9 3.5h6M10 3.5l-.8 6.2L6 13.5h12l-3.2-3.8L14 3.5M12 13.5v7"/>'),
    volume: icon(speakerBody + '<path d="M15.5 9a4.5 4.5 0 0 1 0 6M18.2 6.3a8.5 8.5 0 0 1 0 11.4"/>'),
    volumeOff: icon(speakerBody + '<path d="M15.5 9.5l5 5M20.5 9.5l-5 5"/>'),
    alert: icon('<path d="M10.3 3.9L2.4 17.6A2 2 0 0 0 4.1 20.6h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/><path d="M12 9v4.5M12 17h.01"/>'),
    play: icon('<path d="M7 4.5v15l12-7.5z"/>'),
    download: icon('<path d="M12 3.5v12M7 11l5 5 5-5M4 20.5h16"/>'),
    trash: icon('<path d="M4 6.5h16M9.5 6.5V4h5v2.5M6.5 6.5l1 14h9l1-14"/>'),
    refresh: icon('<path d="M20 11a8 8 0 1 0-2.3 5.7M20 4.5V11h-6.5"/>'),
    logo: `<svg viewBox="0 0 32 32"><defs><linearGradient id="gv" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6d8bff"/><stop offset="1" stop-color="#3b5bdb"/></linearGradient></defs><rect width="32" height="32" rx="9" fill="url(#gv)"/><rect x="7" y="10" width="12" height="12" rx="3" fill="#fff"/><path d="M19.5 14.5l5.5-3.2v9.4l-5.5-3.2z" fill="#fff"/></svg>`
};

export type IconName = keyof typeof icons;

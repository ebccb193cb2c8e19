// Entry of the script-tag bundle. Like upstream's openvidu-browser-2.32.2.js
// the global `OpenVidu` is the OpenVidu class itself (`new OpenVidu()`); the
// other public names hang off it (`OpenVidu.OpenViduError`, ...).

import * as api from './index.js';

const g = globalThis as any;
const OV = api.OpenVidu as any;
for (const [name, value] of Object.entries(api)) {
    if (!(name in OV)) OV[name] = value;
}
g.OpenVidu = OV;

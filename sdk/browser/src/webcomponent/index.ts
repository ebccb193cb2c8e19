// Entry of /openvidu-webcomponent.js: defines <openvidu-webcomponent>.
// A page includes the script and uses the element, as with upstream's
// openvidu-webcomponent-2.32.0.js (no separate CSS file is needed).

import { OpenViduWebComponent } from './element.js';

export const TAG = 'openvidu-webcomponent';

if (typeof customElements !== 'undefined' && !customElements.get(TAG)) {
    customElements.define(TAG, OpenViduWebComponent);
}
(globalThis as any).OpenViduWebComponent ??= OpenViduWebComponent;

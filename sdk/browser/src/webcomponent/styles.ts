// The component's shadow-DOM styles. Colours and radii are CSS custom
// properties with the names OpenVidu's components use (--ov-primary-color,
// ...), so a page themes both the same way.

export const styles = `
:host {
  --ov-primary-color: #17181b;
  --ov-secondary-color: #24262b;
  --ov-tertiary-color: #4f6bff;
  --ov-warn-color: #e5484d;
  --ov-accent-color: #ffb224;
  --ov-light-color: #e6e6e6;
  --ov-text-color: #f3f4f6;
  --ov-panel-text-color: #e6e7ea;
  --ov-panel-background: #1f2125;
  --ov-buttons-radius: 50%;
  --ov-leave-button-radius: 999px;
  --ov-video-radius: 14px;
  --ov-panel-radius: 14px;
  --gv-muted-text: #9ca0a8;
  --gv-line: rgba(255, 255, 255, 0.08);
  --gv-field: #2c2f35;
  display: block;
  position: relative;
  width: 100%;
  height: 100%;
  min-height: 320px;
  overflow: hidden;
  color: var(--ov-text-color);
  background: var(--ov-primary-color);
  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, 'Helvetica Neue', Arial, sans-serif;
  -webkit-font-smoothing: antialiased;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
button { font: inherit; color: inherit; }
.icon { width: 22px; height: 22px; flex: none; }
.root { position: absolute; inset: 0; display: flex; flex-direction: column; }

/* ---- buttons ---- */
.btn {
  display: inline-flex; align-items: center; justify-content: center; gap: 8px;
  width: 46px; height: 46px; border: 0; border-radius: var(--ov-buttons-radius);
  background: var(--ov-secondary-color); color: var(--ov-text-color); cursor: pointer;
  position: relative; transition: background .15s, transform .1s; flex: none;
}
.btn:hover { background: #33363d; }
.btn:active { transform: scale(.96); }
.btn:focus-visible, .primary:focus-visible, .link:focus-visible, input:focus-visible, select:focus-visible {
  outline: 2px solid var(--ov-tertiary-color); outline-offset: 2px;
}
.btn.off { background: var(--ov-warn-color); }
.btn.off:hover { background: #f05f63; }
.btn.on { background: var(--ov-tertiary-color); }
.btn.raised { background: var(--ov-accent-color); color: #1b1b1b; }
.btn.leave { width: 64px; border-radius: var(--ov-leave-button-radius); background: var(--ov-warn-color); }
.btn.leave:hover { background: #f05f63; }
.btn.small { width: 34px; height: 34px; }
.btn.small .icon { width: 18px; height: 18px; }
.btn.ghost { background: transparent; }
.btn.ghost:hover { background: rgba(255,255,255,.08); }
.badge {
  position: absolute; top: -3px; right: -3px; min-width: 18px; height: 18px; padding: 0 5px;
  border-radius: 9px; background: var(--ov-tertiary-color); color: #fff; font-size: 11px; font-weight: 700;
  display: flex; align-items: center; justify-content: center; box-shadow: 0 0 0 2px var(--ov-primary-color);
}
.badge.count { background: #3a3d44; }
.primary {
  height: 44px; padding: 0 22px; border: 0; border-radius: 12px; cursor: pointer;
  background: var(--ov-tertiary-color); color: #fff; font-weight: 600; font-size: 15px;
  display: inline-flex; align-items: center; justify-content: center; gap: 8px;
}
.primary:hover { filter: brightness(1.1); }
.primary:disabled { opacity: .6; cursor: default; filter: none; }
.link { border: 0; background: none; color: #9fb0ff; cursor: pointer; padding: 4px 0; text-decoration: underline; }

/* ---- fields ---- */
label.field { display: flex; flex-direction: column; gap: 6px; font-size: 12px; color: var(--gv-muted-text); font-weight: 600; letter-spacing: .02em; }
input, select {
  height: 42px; padding: 0 12px; border-radius: 10px; border: 1px solid var(--gv-line);
  background: var(--gv-field); color: var(--ov-text-color); font: inherit; font-size: 14px; font-weight: 400; width: 100%; min-width: 0;
}
select { appearance: none; padding-right: 30px;
  background-image: linear-gradient(45deg, transparent 50%, #9ca0a8 50%), linear-gradient(135deg, #9ca0a8 50%, transparent 50%);
  background-position: calc(100% - 17px) 18px, calc(100% - 12px) 18px; background-size: 5px 5px; background-repeat: no-repeat; }
::slotted(label) { display: flex; flex-direction: column; gap: 6px; font-size: 12px; color: var(--gv-muted-text); font-weight: 600; letter-spacing: .02em; }

/* ---- notices ---- */
.alert {
  display: flex; gap: 10px; align-items: flex-start; padding: 10px 12px; border-radius: 10px;
  background: rgba(229, 72, 77, .14); border: 1px solid rgba(229, 72, 77, .35); color: #ffd7d8; font-size: 13px;
}
.alert .icon { width: 18px; height: 18px; color: #ff8b8f; margin-top: 1px; }
.alert.info { background: rgba(79, 107, 255, .12); border-color: rgba(79, 107, 255, .35); color: #dfe4ff; }
.alert.info .icon { color: #9fb0ff; }
.alert .actions { display: flex; gap: 14px; margin-top: 6px; flex-wrap: wrap; }
.spinner { width: 34px; height: 34px; border-radius: 50%; border: 3px solid rgba(255,255,255,.15); border-top-color: var(--ov-tertiary-color); animation: spin 0.9s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }

/* ---- prejoin ---- */
.prejoin { flex: 1; display: flex; align-items: center; justify-content: center; padding: 24px; overflow: auto; }
.prejoin-card { display: flex; gap: 28px; align-items: stretch; width: min(960px, 100%); }
.preview { flex: 1.4; min-width: 0; display: flex; flex-direction: column; gap: 12px; }
.preview-frame { position: relative; aspect-ratio: 16 / 9; border-radius: var(--ov-video-radius); overflow: hidden; background: #0f1012; box-shadow: 0 10px 40px rgba(0,0,0,.35); }
.preview-frame video { width: 100%; height: 100%; object-fit: cover; display: block; }
.preview-controls { position: absolute; left: 0; right: 0; bottom: 14px; display: flex; justify-content: center; gap: 12px; }
.preview-controls .btn { background: rgba(30, 32, 36, .75); backdrop-filter: blur(6px); }
.preview-controls .btn.off { background: var(--ov-warn-color); }
.meter { position: absolute; left: 14px; bottom: 22px; width: 34px; height: 34px; border-radius: 50%; background: rgba(30,32,36,.75); display: flex; align-items: center; justify-content: center; gap: 3px; }
.meter i { display: block; width: 4px; height: 6px; border-radius: 2px; background: #fff; transition: height .1s; }
.form { flex: 1; min-width: 260px; display: flex; flex-direction: column; gap: 14px; justify-content: center; }
.form h1 { margin: 0 0 4px; font-size: 24px; font-weight: 650; letter-spacing: -.01em; }
.form .sub { margin: -8px 0 4px; color: var(--gv-muted-text); }
.form .row { display: flex; gap: 10px; }
.form .row > * { flex: 1; min-width: 0; }
.form .primary { margin-top: 6px; }

/* ---- notice pages (waiting, ended, fatal) ---- */
.notice { flex: 1; display: flex; align-items: center; justify-content: center; padding: 24px; text-align: center; }
.notice-card { max-width: 460px; display: flex; flex-direction: column; align-items: center; gap: 14px; }
.notice-card h2 { margin: 0; font-size: 22px; font-weight: 650; }
.notice-card p { margin: 0; color: var(--gv-muted-text); }

/* ---- room ---- */
.room { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.main { flex: 1; display: flex; min-height: 0; padding: 12px 12px 0; gap: 12px; }
.stage { flex: 1; min-width: 0; position: relative; display: flex; align-items: center; justify-content: center; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; justify-content: center; align-content: center; }
.grid > .tile { flex: none; }
.presentation { position: absolute; inset: 0; display: flex; gap: 8px; }
.presentation .featured { flex: 1; min-width: 0; min-height: 0; display: flex; }
.presentation .featured .tile { width: 100%; height: 100%; }
.presentation .strip { width: 220px; display: flex; flex-direction: column; gap: 8px; overflow-y: auto; }
.presentation .strip .tile { width: 100%; aspect-ratio: 16 / 9; flex: none; }
.presentation.narrow { flex-direction: column; }
.presentation.narrow .strip { width: auto; height: 110px; flex-direction: row; overflow-x: auto; overflow-y: hidden; }
.presentation.narrow .strip .tile { width: auto; height: 100%; }

.tile { position: relative; border-radius: var(--ov-video-radius); overflow: hidden; background: var(--ov-secondary-color); box-shadow: 0 0 0 0 transparent; transition: box-shadow .15s; }
.tile video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; background: #0f1012; }
.tile.screen video { object-fit: contain; background: #0b0c0e; }
.tile.novideo video { visibility: hidden; }
.tile.speaking { box-shadow: 0 0 0 3px var(--ov-tertiary-color), 0 0 24px rgba(79, 107, 255, .35); }
.avatar { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; }
.avatar span { width: min(96px, 36%); aspect-ratio: 1; border-radius: 50%; display: flex; align-items: center; justify-content: center; font-size: clamp(16px, 4vw, 34px); font-weight: 650; color: #fff; }
.tile:not(.novideo) .avatar { display: none; }
.nametag { z-index: 2; position: absolute; left: 10px; bottom: 10px; max-width: calc(100% - 20px); display: flex; align-items: center; gap: 6px;
  padding: 4px 10px; border-radius: 8px; background: rgba(15, 16, 18, .62); backdrop-filter: blur(4px); font-size: 13px; font-weight: 500; }
.nametag .mic:empty { display: none; }
.nametag .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nametag .icon { width: 15px; height: 15px; }
.nametag .muted { color: #ff8b8f; }
.hand { position: absolute; left: 10px; top: 10px; width: 34px; height: 34px; border-radius: 50%; background: var(--ov-accent-color); color: #1b1b1b; display: flex; align-items: center; justify-content: center; animation: pop .25s ease-out; }
.hand .icon { width: 20px; height: 20px; }
@keyframes pop { from { transform: scale(.4); opacity: 0; } }
.presenting { position: absolute; inset: 0; z-index: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 10px; background: rgba(15, 16, 18, .72); text-align: center; padding: 8px; }
.presenting .icon { width: 28px; height: 28px; color: #9fb0ff; }
.presenting span { font-weight: 600; }
.primary.small { height: 34px; padding: 0 14px; font-size: 13px; border-radius: 10px; }
.strip .presenting .icon, .strip .presenting span { display: none; }
.tile-menu-btn { position: absolute; right: 8px; top: 8px; opacity: 0; transition: opacity .15s; background: rgba(15,16,18,.6); }
.tile:hover .tile-menu-btn, .tile-menu-btn:focus-visible { opacity: 1; }
.speaking-dot { display: inline-flex; gap: 2px; align-items: center; height: 14px; }
.speaking-dot i { width: 3px; height: 5px; border-radius: 2px; background: #9fb0ff; animation: eq .8s ease-in-out infinite; }
.speaking-dot i:nth-child(2) { animation-delay: .15s; }
.speaking-dot i:nth-child(3) { animation-delay: .3s; }
@keyframes eq { 50% { height: 13px; } }

/* ---- panels ---- */
.panel { width: 340px; flex: none; display: flex; flex-direction: column; background: var(--ov-panel-background); color: var(--ov-panel-text-color); border-radius: var(--ov-panel-radius); overflow: hidden; }
.panel-head { display: flex; align-items: center; justify-content: space-between; padding: 14px 14px 10px 18px; }
.panel-head h3 { margin: 0; font-size: 16px; font-weight: 650; }
.panel-body { flex: 1; overflow-y: auto; padding: 4px 18px 18px; display: flex; flex-direction: column; gap: 12px; }
.messages { flex: 1; overflow-y: auto; padding: 4px 18px 12px; display: flex; flex-direction: column; gap: 10px; }
.empty { color: var(--gv-muted-text); text-align: center; margin: auto; padding: 20px; }
.msg { display: flex; flex-direction: column; gap: 3px; max-width: 88%; align-self: flex-start; }
.msg.local { align-self: flex-end; align-items: flex-end; }
.msg .who { font-size: 12px; color: var(--gv-muted-text); }
.msg .bubble { padding: 8px 12px; border-radius: 14px 14px 14px 4px; background: #30333a; white-space: pre-wrap; word-break: break-word; }
.msg.local .bubble { background: var(--ov-tertiary-color); color: #fff; border-radius: 14px 14px 4px 14px; }
.composer { display: flex; gap: 8px; padding: 12px 14px 14px; border-top: 1px solid var(--gv-line); }
.composer input { border-radius: 22px; }
.composer .btn { background: var(--ov-tertiary-color); }
.person { display: flex; align-items: center; gap: 12px; padding: 6px 0; }
.person .avatar-sm { width: 36px; height: 36px; border-radius: 50%; flex: none; display: flex; align-items: center; justify-content: center; font-weight: 650; font-size: 13px; color: #fff; }
.person .who { flex: 1; min-width: 0; display: flex; flex-direction: column; }
.person .who b { font-weight: 550; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.person .who small { color: var(--gv-muted-text); }
.person .state { display: flex; gap: 4px; color: var(--gv-muted-text); }
.person .state .icon { width: 18px; height: 18px; }
.person .state .hand-i { color: var(--ov-accent-color); }
.person .state .muted { color: #ff8b8f; }
.section-title { font-size: 12px; font-weight: 650; color: var(--gv-muted-text); text-transform: uppercase; letter-spacing: .06em; margin-top: 6px; }
.rec-item { display: flex; align-items: center; gap: 8px; padding: 8px 10px; border-radius: 10px; background: #2a2d33; }
.rec-item .who { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

/* ---- toolbar ---- */
.toolbar { display: flex; align-items: center; gap: 12px; padding: 12px 16px; min-height: 72px; }
.toolbar .side { flex: 1; display: flex; align-items: center; gap: 10px; min-width: 0; }
.toolbar .side.right { justify-content: flex-end; }
.toolbar .center { display: flex; align-items: center; gap: 10px; }
.brand { display: flex; align-items: center; gap: 10px; min-width: 0; }
.brand .logo { width: 30px; height: 30px; flex: none; }
.brand .session { font-weight: 600; font-size: 15px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rec { display: inline-flex; align-items: center; gap: 6px; padding: 3px 9px; border-radius: 999px; background: rgba(229,72,77,.18); color: #ff8b8f; font-size: 12px; font-weight: 700; letter-spacing: .04em; }
.rec::before { content: ''; width: 8px; height: 8px; border-radius: 50%; background: var(--ov-warn-color); animation: blink 1.4s infinite; }
@keyframes blink { 50% { opacity: .3; } }
::slotted(button) {
  display: inline-flex; align-items: center; justify-content: center; gap: 8px; height: 46px; min-width: 46px; padding: 0 14px;
  border: 0; border-radius: 999px; background: var(--ov-secondary-color); color: var(--ov-text-color); cursor: pointer; font: inherit; font-weight: 500;
}
::slotted(button:hover) { background: #33363d; }

/* ---- menus & toasts ---- */
.menu { position: absolute; z-index: 20; min-width: 220px; padding: 6px; border-radius: 12px; background: #2a2c32; box-shadow: 0 12px 40px rgba(0,0,0,.45); border: 1px solid var(--gv-line); }
.menu button { display: flex; align-items: center; gap: 10px; width: 100%; padding: 9px 12px; border: 0; border-radius: 8px; background: none; cursor: pointer; text-align: left; }
.menu button:hover { background: rgba(255,255,255,.07); }
.menu .icon { width: 18px; height: 18px; color: var(--gv-muted-text); }
.toasts { position: absolute; left: 50%; bottom: 88px; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; align-items: center; z-index: 30; pointer-events: none; width: min(480px, calc(100% - 24px)); }
.toast { pointer-events: auto; display: flex; align-items: center; gap: 10px; padding: 10px 14px; border-radius: 12px; background: #2d3036; color: var(--ov-text-color); box-shadow: 0 8px 30px rgba(0,0,0,.4); max-width: 100%; animation: rise .2s ease-out; cursor: default; }
.toast.clickable { cursor: pointer; }
.toast span { overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
.toast .icon { width: 18px; height: 18px; color: #9fb0ff; }
@keyframes rise { from { transform: translateY(8px); opacity: 0; } }
.banner { position: absolute; top: 12px; left: 50%; transform: translateX(-50%); z-index: 25; display: flex; gap: 10px; align-items: center; padding: 9px 16px; border-radius: 999px; background: #3b2f12; color: #ffd58a; font-weight: 500; box-shadow: 0 6px 20px rgba(0,0,0,.35); }
.banner .spinner { width: 16px; height: 16px; border-width: 2px; border-top-color: #ffd58a; }

/* ---- small screens ---- */
@media (max-width: 760px) {
  .prejoin { padding: 16px; align-items: flex-start; }
  .prejoin-card { flex-direction: column; gap: 18px; }
  .main { padding: 8px 8px 0; }
  .toolbar { padding: 8px; gap: 4px; justify-content: center; min-height: 60px; }
  .toolbar .side, .toolbar .center { flex: none; gap: 4px; }
  .toolbar .side .session, .toolbar .side .logo { display: none; }
  .toolbar .side.left:not(:has(.rec)) { display: none; }
  .btn { width: 38px; height: 38px; }
  .btn .icon { width: 20px; height: 20px; }
  .btn.leave { width: 48px; }
  ::slotted(button) { height: 38px; min-width: 38px; padding: 0 9px; }
  .toasts { bottom: 72px; }
  .panel { position: absolute; inset: 0 0 72px 0; width: auto; z-index: 15; border-radius: 0; }
  .hide-narrow { display: none !important; }
}
:host([minimal]) .toolbar .side .session { display: none; }
`;

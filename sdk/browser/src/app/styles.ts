// Light-DOM styles of the call app: the page, the sign-in card, and the
// elements it slots into the component (room field, invite button).

export const appStyles = `
openvidu-webcomponent { position: fixed; inset: 0; }
.app-center { min-height: 100vh; display: flex; align-items: center; justify-content: center; padding: 24px; box-sizing: border-box; }
.app-card { width: min(420px, 100%); display: flex; flex-direction: column; gap: 14px; padding: 30px; border-radius: 18px; background: #1f2125; box-shadow: 0 20px 60px rgba(0,0,0,.4); box-sizing: border-box; }
.app-card h1 { margin: 0; font-size: 22px; font-weight: 650; }
.app-card p { margin: 0; color: #9ca0a8; }
.app-card label, .app-room { display: flex; flex-direction: column; gap: 6px; font-size: 12px; font-weight: 600; letter-spacing: .02em; color: #9ca0a8; }
.app-card input, .app-room input {
  height: 42px; padding: 0 12px; border-radius: 10px; border: 1px solid rgba(255,255,255,.08); background: #2c2f35;
  color: #f3f4f6; font: inherit; font-size: 14px; font-weight: 400; box-sizing: border-box; width: 100%;
}
.app-card input:focus-visible, .app-room input:focus-visible { outline: 2px solid #4f6bff; outline-offset: 2px; }
.app-primary { height: 44px; border: 0; border-radius: 12px; background: #4f6bff; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.app-primary:disabled { opacity: .6; }
.app-error { color: #ff8b8f !important; }
.app-muted { font-size: 13px; }
#copy-link span { font-size: 14px; }
@media (max-width: 760px) { #copy-link span { display: none; } }
`;

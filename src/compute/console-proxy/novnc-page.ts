// The page the noVNC URL opens: what noVNC's vnc_lite.html does (the npm package ships only the
// client library, core/ and vendor/, not its pages). It connects RFB to the websocket at the
// `path` query parameter of its own URL (Nova hands out ...vnc_lite.html?path=%3Ftoken%3D<token>),
// scales the guest's screen into the window and shows the state in #status ("Connected to <name>",
// "Disconnected", ...), which the browser test reads.
export const NOVNC_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>noVNC — Nimbus console</title>
  <style>
    body { margin: 0; background: #282828; height: 100%; display: flex; flex-direction: column; }
    html { height: 100%; }
    #top_bar { background: #6e84a3; color: white; font: bold 12px Helvetica, sans-serif; padding: 6px 5px 4px 5px; border-bottom: 1px solid #94b8d6; }
    #status { text-align: center; }
    #send_ctrl_alt_del { position: fixed; top: 0; right: 0; border: 1px outset; padding: 5px; cursor: pointer; }
    #screen { flex: 1; overflow: hidden; }
  </style>
</head>
<body>
  <div id="top_bar">
    <div id="status">Loading</div>
    <div id="send_ctrl_alt_del">Send CtrlAltDel</div>
  </div>
  <div id="screen"></div>
  <script type="module">
    import RFB from './core/rfb.js';

    const status = (text) => { document.getElementById('status').textContent = text; };
    const params = new URLSearchParams(window.location.search);
    const path = params.get('path') ?? 'websockify';
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const url = scheme + '://' + window.location.host + '/' + path.replace(/^\\//, '');
    let desktopName = '';
    let connected = false;

    status('Connecting');
    const rfb = new RFB(document.getElementById('screen'), url, { credentials: { password: params.get('password') ?? '' } });
    rfb.viewOnly = params.get('view_only') === 'true';
    rfb.scaleViewport = params.get('scale') !== 'false';
    rfb.addEventListener('connect', () => { connected = true; status('Connected to ' + (desktopName || 'the guest')); });
    rfb.addEventListener('disconnect', (e) => { connected = false; status(e.detail.clean ? 'Disconnected' : 'Something went wrong, connection is closed'); });
    rfb.addEventListener('credentialsrequired', () => rfb.sendCredentials({ password: prompt('Password required:') ?? '' }));
    rfb.addEventListener('desktopname', (e) => { desktopName = e.detail.name; if (connected) status('Connected to ' + desktopName); });
    document.getElementById('send_ctrl_alt_del').onclick = () => rfb.sendCtrlAltDel();
    window.rfb = rfb;
  </script>
</body>
</html>
`;

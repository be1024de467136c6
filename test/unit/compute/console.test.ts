// The console pieces that need no server: token hashing and URLs, the protocol/type rules, the
// proxy's handshake reading (token, Origin), noVNC's files and the console configuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { consoleAccessUrl, hashToken, isWellFormedToken } from '../../../src/compute/domain/console-tokens.js';
import { consoleTypeFor } from '../../../src/compute/domain/servers/remote-console.js';
import { hostNameOf, originHostRefusal, originSchemeRefusal, tokenOf } from '../../../src/compute/console-proxy/handshake.js';
import { novncFile, novncRoot } from '../../../src/compute/console-proxy/static-files.js';
import { NOVNC_PAGE } from '../../../src/compute/console-proxy/novnc-page.js';
import { consoleBaseUrls, parseConsoleConfig } from '../../../src/compute/console-config.js';
import { parseComputeConfig, applyComputeEnv } from '../../../src/compute/config.js';
import { ApiError } from '../../../src/core/errors.js';
import type { NimbusConfig } from '../../../src/core/config.js';
import { websocketUrlOf } from '../../support/console-client.js';

const TOKEN = '1b4f3c9e-8f0a-4d43-9a57-0c8f6c1d2e3f';

describe('console tokens and URLs', () => {
  it('hashes tokens with SHA-256 and accepts only UUID-shaped ones', () => {
    assert.equal(hashToken(TOKEN), createHash('sha256').update(TOKEN).digest('hex'));
    assert.equal(hashToken(TOKEN).length, 64);
    assert.ok(isWellFormedToken(TOKEN));
    for (const bad of ['', 'x', TOKEN.toUpperCase(), `${TOKEN} `, "' or 1=1 --"]) assert.equal(isWellFormedToken(bad), false, bad);
  });

  it('builds Nova\'s URLs: noVNC carries the token inside path, serial as a query parameter', () => {
    assert.equal(consoleAccessUrl('http://h:6080/vnc_lite.html', 'novnc', TOKEN), `http://h:6080/vnc_lite.html?path=%3Ftoken%3D${TOKEN}`);
    assert.equal(consoleAccessUrl('ws://h:6083/', 'serial', TOKEN), `ws://h:6083/?token=${TOKEN}`);
    assert.equal(consoleAccessUrl('http://h/vnc.html?lang=en', 'novnc', TOKEN), `http://h/vnc.html?lang=en&path=%3Ftoken%3D${TOKEN}`);
    assert.equal(websocketUrlOf(`http://h:6080/vnc_lite.html?path=%3Ftoken%3D${TOKEN}`), `ws://h:6080/?token=${TOKEN}`);
  });

  it('maps protocol and type as Nova: vnc/novnc and serial/serial; a mismatch is invalid, spice/mks unavailable', () => {
    assert.equal(consoleTypeFor('vnc', 'novnc'), 'novnc');
    assert.equal(consoleTypeFor('serial', 'serial'), 'serial');
    const refused = (protocol: string, type: string, message: string) => assert.throws(() => consoleTypeFor(protocol, type),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === message);
    refused('vnc', 'serial', 'Invalid console type serial');
    refused('vnc', 'xvpvnc', 'Invalid console type xvpvnc');
    refused('serial', 'novnc', 'Invalid console type novnc');
    refused('spice', 'spice-html5', 'Unavailable console type spice-html5.');
    refused('mks', 'webmks', 'Unavailable console type webmks.');
  });
});

describe('console proxy handshake', () => {
  it('reads the token from the query, else from the token cookie', () => {
    assert.equal(tokenOf(`/?token=${TOKEN}`, {}), TOKEN);
    assert.equal(tokenOf('/websockify', { cookie: `a=b; token=${TOKEN}; c=d` }), TOKEN);
    assert.equal(tokenOf(`/?token=${TOKEN}`, { cookie: 'token=other' }), TOKEN);
    assert.equal(tokenOf('/', {}), undefined);
    assert.equal(tokenOf('/?token=', { cookie: 'tokens=x' }), undefined);
  });

  it('checks Origin as Nova: absent passes, its host must be Host or allowed, its scheme the URL\'s', () => {
    assert.equal(hostNameOf('[::1]:6080'), '::1');
    assert.equal(hostNameOf('Console.Example:6080'), 'console.example');
    assert.equal(originHostRefusal({ host: '127.0.0.1:6080' }, []), undefined);
    assert.equal(originHostRefusal({ host: '127.0.0.1:6080', origin: 'http://127.0.0.1:6080' }, []), undefined);
    assert.equal(originHostRefusal({ host: '127.0.0.1:6080', origin: 'http://evil.example' }, []), 'Origin header does not match this host.');
    assert.equal(originHostRefusal({ host: '127.0.0.1:6080', origin: 'https://dash.example' }, ['dash.example']), undefined);
    assert.equal(originHostRefusal({ host: '[::1]:6080', origin: 'http://[::1]:6080' }, []), undefined);
    assert.equal(originHostRefusal({ host: 'h', origin: 'null' }, []), 'Origin header not valid.');
    assert.equal(originSchemeRefusal({ origin: 'http://h' }, 'http://h:6080/vnc_lite.html'), undefined);
    assert.equal(originSchemeRefusal({ origin: 'https://h' }, 'http://h:6080/vnc_lite.html'), 'Origin header protocol does not match this host.');
    assert.equal(originSchemeRefusal({ origin: 'http://h', 'x-forwarded-proto': 'https' }, 'https://h/vnc_lite.html'), undefined);
    assert.equal(originSchemeRefusal({ origin: 'http://h' }, 'ws://h:6083/'), undefined);
    assert.equal(originSchemeRefusal({ origin: 'https://h' }, 'wss://h:6083/'), undefined);
    assert.equal(originSchemeRefusal({}, 'ws://h:6083/'), undefined);
  });

  it('serves noVNC\'s library files and nothing else of the disk', async () => {
    const root = novncRoot();
    assert.match(String(await novncFile(root, '/core/rfb.js')), /export default class RFB/);
    // Tempest's test_novnc takes the page for noVNC's only if it names it.
    assert.match(NOVNC_PAGE, /<html[^>]*>[\s\S]*noVNC[\s\S]*<\/html>/);
    for (const bad of ['/core/../package.json', '/../../etc/passwd', '/core/%2e%2e/%2e%2e/package.json', '/README.md', '/core/', '/core/nope.js', '/%E0%A4%A']) {
      assert.equal(await novncFile(root, bad), undefined, bad);
    }
  });
});

describe('console configuration', () => {
  const base = { publicHost: '203.0.113.5' } as NimbusConfig;

  it('defaults to Nova\'s ports and TTL, URL bases from the public host', () => {
    const c = parseComputeConfig({}).console;
    assert.deepEqual({ n: c.novncPort, s: c.serialPort, ttl: c.tokenTtlSeconds }, { n: 6080, s: 6083, ttl: 600 });
    assert.deepEqual(consoleBaseUrls(base, c), { novnc: 'http://203.0.113.5:6080/vnc_lite.html', serial: 'ws://203.0.113.5:6083/' });
    assert.deepEqual(consoleBaseUrls({ publicHost: '2001:db8::1' } as NimbusConfig, c).serial, 'ws://[2001:db8::1]:6083/');
  });

  it('takes configured bases and environment overrides; refuses bad values naming the key', () => {
    const env = applyComputeEnv({ console: { tokenTtlSeconds: 30 } }, { NIMBUS_CONSOLE_NOVNC_PORT: '16080', NIMBUS_CONSOLE_NOVNC_BASE_URL: 'https://c.example/vnc_lite.html' });
    const c = parseComputeConfig(env).console;
    assert.equal(c.novncPort, 16080);
    assert.equal(c.tokenTtlSeconds, 30);
    assert.equal(consoleBaseUrls(base, c).novnc, 'https://c.example/vnc_lite.html');
    assert.throws(() => parseConsoleConfig({ novncPort: 70000 }), /compute\.console\.novncPort/);
    assert.throws(() => parseConsoleConfig({ serialBaseUrl: 'http://x/' }), /compute\.console\.serialBaseUrl: must be a ws: or wss: URL/);
    assert.throws(() => parseConsoleConfig({ tokenTtlSeconds: 0 }), /tokenTtlSeconds/);
    assert.throws(() => parseConsoleConfig({ allowedOrigins: 'x' }), /allowedOrigins/);
  });
});

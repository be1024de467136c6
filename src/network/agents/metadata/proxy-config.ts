// Pure rendering of the haproxy configuration of a metadata proxy (Neutron's
// neutron/agent/metadata/driver.py template): it listens where instances send metadata requests
// (169.254.169.254:80 in a DHCP namespace, 0.0.0.0:9697 in a router namespace behind a redirect),
// stamps every request with the router or network it came through and the instance's address
// (X-Forwarded-For), and forwards it to this host's metadata agent over a unix socket.

export interface MetadataProxyConfigInput {
  readonly bindAddress: string;
  readonly port: number;
  /** Exactly one of routerId / networkId. */
  readonly routerId?: string;
  readonly networkId?: string;
  /** The metadata agent's unix socket. */
  readonly socketPath: string;
}

export const ROUTER_ID_HEADER = 'X-Neutron-Router-ID';
export const NETWORK_ID_HEADER = 'X-Neutron-Network-ID';

const ID = /^[A-Za-z0-9-]{1,64}$/;
const ADDRESS = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[?[0-9A-Fa-f:.]+\]?|\*)$/;
// Goes into the config file verbatim: no whitespace, quotes, comments or control characters.
const SOCKET = /^\/[A-Za-z0-9_./@+=-]+$/;

export function renderMetadataProxyConfig(input: MetadataProxyConfigInput): string {
  const { bindAddress, port, routerId, networkId, socketPath } = input;
  if ((routerId === undefined) === (networkId === undefined)) throw new Error('metadata proxy: give exactly one of routerId and networkId');
  const id = (routerId ?? networkId) as string;
  if (!ID.test(id)) throw new Error(`metadata proxy: invalid id ${JSON.stringify(id)}`);
  if (!ADDRESS.test(bindAddress)) throw new Error(`metadata proxy: invalid bind address ${JSON.stringify(bindAddress)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`metadata proxy: invalid port ${port}`);
  if (!SOCKET.test(socketPath)) throw new Error(`metadata proxy: invalid socket path ${JSON.stringify(socketPath)}`);
  const header = routerId !== undefined ? ROUTER_ID_HEADER : NETWORK_ID_HEADER;
  // haproxy splits address and port at the last colon, also for IPv6 (`:::9697`).
  const bind = bindAddress.replace(/^\[(.*)\]$/, '$1');
  return [
    'global',
    '    maxconn 1024',
    '',
    'defaults',
    '    mode http',
    '    option http-server-close',
    '    option forwardfor',
    '    retries 3',
    '    timeout http-request 30s',
    '    timeout connect 30s',
    '    timeout client 32s',
    '    timeout server 32s',
    '    timeout http-keep-alive 30s',
    '',
    'listen listener',
    `    bind ${bind}:${port}`,
    // Whatever the instance sent in these headers is dropped: only the proxy vouches for them.
    // (`option forwardfor` appends the real source address after the http-request rules ran.)
    `    http-request del-header ${ROUTER_ID_HEADER}`,
    `    http-request del-header ${NETWORK_ID_HEADER}`,
    '    http-request del-header X-Forwarded-For',
    `    http-request set-header ${header} ${id}`,
    `    server metadata ${socketPath}`,
    '',
  ].join('\n');
}

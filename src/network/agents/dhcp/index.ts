export { DhcpAgent, dnsmasqDaemonId, dhcpProxyDaemonId, type DhcpAgentOptions, type DhcpClient, type DhcpNetworkResult } from './dhcp-agent.js';
export * from './dnsmasq-config.js';

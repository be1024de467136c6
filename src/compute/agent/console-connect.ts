// get_console_connect_info: where the console proxy reaches a guest's console on this host (what
// Nova's driver.get_vnc_console / get_serial_console answer). QEMU serves both on unix sockets
// here, so the answer is this host's name and a socket path: the proxy must run where it can open
// the agent's sockets (the same machine, or a shared mount). The shape keeps a port for a TCP
// console server later.
import { stat } from 'node:fs/promises';
import type { ConsoleConnectInfo, ConsoleConnectRequest } from '../rpc/compute-protocol.js';
import type { InstanceFiles } from './instance-files.js';

/** No such server on this host (the API answers 404). */
export class InstanceNotFound extends Error {
  override readonly name = 'InstanceNotFound';
}

/** The guest is not running: nothing serves its console (the API answers 409). */
export class InstanceNotReady extends Error {
  override readonly name = 'InstanceNotReady';
}

/** The guest runs without that console (started before its socket existed; the API answers 400). */
export class ConsoleTypeUnavailable extends Error {
  override readonly name = 'ConsoleTypeUnavailable';
}

const isSocket = (path: string): Promise<boolean> => stat(path).then((s) => s.isSocket(), () => false);

export async function consoleConnectInfo(
  host: string, files: InstanceFiles, isRunning: (uuid: string) => Promise<boolean>, request: ConsoleConnectRequest,
): Promise<ConsoleConnectInfo> {
  const { uuid, console_type: type } = request;
  if (!(await files.loadRecord(uuid))) throw new InstanceNotFound(`Instance ${uuid} could not be found.`);
  if (!(await isRunning(uuid))) throw new InstanceNotReady(`Instance ${uuid} is not ready`);
  const socket = type === 'novnc' ? files.vncSocketPath(uuid) : files.serialSocketPath(uuid);
  if (!(await isSocket(socket))) throw new ConsoleTypeUnavailable(`Unavailable console type ${type}.`);
  return { host, port: null, unix_socket: socket };
}

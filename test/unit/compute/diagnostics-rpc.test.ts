// get_diagnostics and get_host_uptime: their bus parsers, and the pure readers of what the agent
// gathers (QMP answers, `ip -s -j link`, /proc) into Nova's standard diagnostics and `uptime` line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ComputeArgumentError, parseGetDiagnostics, parseGetHostUptime } from '../../../src/compute/agent/rpc-handlers.js';
import { diagnosticsState, parseBalloon, parseBlockStats, parseCpus, parseProcStat, parseTapStats } from '../../../src/compute/agent/diagnostics-parse.js';
import { formatUptime, parseLoadavg } from '../../../src/compute/agent/host-uptime.js';

const UUID = '6f1b7c43-38a2-4c41-9f7e-2b0b8f1f6a10';

describe('diagnostics bus parsers', () => {
  it('get_diagnostics takes exactly a lower-case uuid', () => {
    assert.deepEqual(parseGetDiagnostics({ uuid: UUID }), { uuid: UUID });
    for (const bad of [{}, { uuid: UUID.toUpperCase() }, { uuid: UUID, extra: 1 }, null, 'x', [UUID]]) {
      assert.throws(() => parseGetDiagnostics(bad), ComputeArgumentError, JSON.stringify(bad));
    }
  });

  it('get_host_uptime takes no arguments', () => {
    assert.deepEqual(parseGetHostUptime({}), {});
    assert.throws(() => parseGetHostUptime({ host: 'a' }), /unexpected argument host/);
    assert.throws(() => parseGetHostUptime('x'), ComputeArgumentError);
  });
});

describe('diagnostics readers', () => {
  it('maps QEMU run states to the diagnostics states', () => {
    assert.equal(diagnosticsState('running'), 'running');
    assert.equal(diagnosticsState('paused'), 'paused');
    assert.equal(diagnosticsState('inmigrate'), 'pending');
    assert.equal(diagnosticsState('guest-panicked'), 'crashed');
    assert.equal(diagnosticsState('shutdown'), 'shutdown');
  });

  it('reads /proc/<pid>/stat with a name holding spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 10 }, () => '0'), '150', '50', ...Array.from({ length: 6 }, () => '0'), '12345', '0'];
    assert.deepEqual(parseProcStat(`42 (qemu (x) y) ${fields.join(' ')}`), { cpuTicks: 200, startTicks: 12345 });
    assert.equal(parseProcStat('garbage'), undefined);
  });

  it('reads vCPUs, disks (skipping empty drives), the balloon and tap counters', () => {
    assert.deepEqual(parseCpus([{ 'cpu-index': 0, 'thread-id': 77 }, { 'cpu-index': 1 }]), [{ index: 0, threadId: 77 }, { index: 1, threadId: null }]);
    assert.deepEqual(parseBlockStats([
      { device: '', qdev: '/machine/peripheral/disk0/virtio-backend', stats: { rd_bytes: 10, rd_operations: 2, wr_bytes: 30, wr_operations: 4, failed_rd_operations: 1, failed_wr_operations: 0 } },
      { device: 'ide1-cd0' },
    ]), [{ read_bytes: 10, read_requests: 2, write_bytes: 30, write_requests: 4, errors_count: 1 }]);
    assert.equal(parseBalloon({ actual: 128 * 1024 * 1024 }), 128);
    assert.equal(parseBalloon(undefined), null);
    const ip = JSON.stringify([{ ifname: 'tap1', stats64: { rx: { bytes: 100, packets: 2, errors: 0, dropped: 1 }, tx: { bytes: 900, packets: 9, errors: 0, dropped: 0 } } }]);
    const nic = parseTapStats(ip, 'fa:16:3e:00:00:01');
    assert.equal(nic.rx_octets, 900, 'what the tap sends, the guest receives');
    assert.equal(nic.tx_octets, 100);
    assert.equal(nic.tx_drop, 1);
    assert.equal(parseTapStats('not json', 'fa:16:3e:00:00:01').rx_octets, null);
  });

  it('formats the uptime line as procps does', () => {
    const at = new Date(2024, 0, 1, 9, 5, 7);
    assert.equal(formatUptime(at, 2 * 86400 + 3 * 3600 + 4 * 60 + 30, [0, 0.01, 0.05]), ' 09:05:07 up 2 days,  3:04,  0 users,  load average: 0.00, 0.01, 0.05');
    assert.equal(formatUptime(at, 7 * 60, [1.5, 1, 0.5]), ' 09:05:07 up 7 min,  0 users,  load average: 1.50, 1.00, 0.50');
    assert.deepEqual(parseLoadavg('0.10 0.20 0.30 1/200 4242\n'), [0.1, 0.2, 0.3]);
  });
});

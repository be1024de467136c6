// The QEMU driver's primitives (docs/compute.md, "The QEMU driver"): accelerator probe, QMP client, command line,
// supervised QEMU processes, disks and config drives, the guest agent.
export { probeAccelerator, probeAcceleratorDetailed, resetAcceleratorProbe, type Accelerator, type ProbeResult } from './kvm.js';
export { QmpClient, QmpError, QmpConnectionError, type QmpEvent, type QmpGreeting, type QmpStatus } from './qmp.js';
export { buildQemuArgs, qemuEscape, QEMU_BINARY, VmSpecError, type VmSpec, type DiskSpec, type NicSpec, type VncSpec, type FirmwareSpec, type MachineType, type DiskBus, type NicModel } from './command-line.js';
export { QemuProcessManager, QemuProcessError, type QemuManagerOptions, type StartSpec, type StopOutcome, type VmHandle } from './qemu-process.js';
export { BaseImageCache, DiskError, buildConfigDrive, createOverlay, diskInfo, hashFile, resizeDisk, type ConfigDriveContent, type DiskInfo, type ExpectedHash, type HashAlgorithm } from './disks.js';
export { GuestAgentError, guestAgentCommand, setGuestUserPassword } from './guest-agent.js';

/**
 * virtio-net (virtio 1.1 spec 5.1) after QEMU 7.2 hw/net/virtio-net.c, as QEMU offers it when
 * the peer has no vnet header (-netdev socket / user): no checksum or segmentation offloads, so
 * the host features are MAC, GSO (legacy only, meaningless without CSUM), MRG_RXBUF, STATUS,
 * CTRL_VQ, CTRL_RX, CTRL_VLAN, CTRL_RX_EXTRA, GUEST_ANNOUNCE, CTRL_MAC_ADDR and
 * CTRL_GUEST_OFFLOADS (measured with `info virtio-status` on QEMU 7.2). Three queues: receive
 * (256), transmit (256), control (64). Configuration space: mac[6], status (LINK_UP): 8 bytes.
 *
 * Receive: frames from the backend wait in a queue until the driver is ready and has posted
 * buffers (QEMU holds them in the peer's queue the same way); with MRG_RXBUF a frame spans as
 * many buffers as it needs and num_buffers says how many; a frame that does not fit in the
 * posted buffers waits for more. QEMU's receive filter: promiscuous until the driver says
 * otherwise, then unicast to the MAC (or the MAC table), broadcast, multicast with allmulti or in
 * the table.
 *
 * Control queue: RX mode (promisc, allmulti, the RX_EXTRA modes), MAC table and address, VLAN
 * (accepted, not filtered), announce ack and guest offloads (accepted: there are none) answer
 * VIRTIO_NET_OK; anything else VIRTIO_NET_ERR.
 *
 * Deliberate differences: no VLAN filtering, no multiqueue, no announce (self-announce after
 * migration does not exist here).
 */
import type { GuestDma } from './guest-dma.js';
import type { NetBackend } from './net-client.js';
import { gatherReadable } from './virtqueue.js';
import { featureBit, VIRTIO_F, type DescriptorChain, type VirtioDevice, type VirtioQueueAccess } from './virtio.js';

export const VIRTIO_ID_NET = 1;

/** Feature bits of virtio-net (spec 5.1.3). */
export const VIRTIO_NET_F = {
  CTRL_GUEST_OFFLOADS: 2, MAC: 5, GSO: 6, MRG_RXBUF: 15, STATUS: 16, CTRL_VQ: 17, CTRL_RX: 18,
  CTRL_VLAN: 19, CTRL_RX_EXTRA: 20, GUEST_ANNOUNCE: 21, CTRL_MAC_ADDR: 23,
} as const;

/** GSO is a legacy bit: QEMU 7.2 offers it on the legacy interface only. */
const HOST_FEATURES = Object.values(VIRTIO_NET_F).filter((bit) => bit !== VIRTIO_NET_F.GSO).reduce((acc, bit) => acc | featureBit(bit), 0n);
const Q = { rx: 0, tx: 1, ctrl: 2 } as const;
const STATUS_LINK_UP = 1;
const CTRL_OK = 0;
const CTRL_ERR = 1;
const CLASS = { rx: 0, mac: 1, vlan: 2, announce: 3, guestOffloads: 5 } as const;
/** Frames held for the guest before the oldest are dropped (QEMU's per-peer queue limit is similar). */
const MAX_PENDING = 1024;
/** The MAC table's capacity (QEMU's MAC_TABLE_ENTRIES). */
const MAC_TABLE_ENTRIES = 64;

export interface VirtioNetOptions {
  mac: Uint8Array;
  /** Undefined: a NIC with no peer (frames the guest sends are dropped). */
  backend: NetBackend | undefined;
}

interface RxMode {
  promisc: boolean;
  allmulti: boolean;
  alluni: boolean;
  nomulti: boolean;
  nouni: boolean;
  nobcast: boolean;
  /** The driver's unicast and multicast MAC tables (VIRTIO_NET_CTRL_MAC_TABLE_SET), as "xx:xx:..." keys. */
  uni: Set<string>;
  multi: Set<string>;
}

function freshRxMode(): RxMode {
  return { promisc: true, allmulti: false, alluni: false, nomulti: false, nouni: false, nobcast: false, uni: new Set(), multi: new Set() };
}

function macKey(bytes: Uint8Array, at = 0): string {
  return Array.from(bytes.subarray(at, at + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

export class VirtioNet implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_NET;
  readonly numQueues = 3;
  readonly queueSize = 256;
  readonly queueSizes = [256, 256, 64];
  readonly deviceFeatures = HOST_FEATURES;
  readonly legacyFeatures = featureBit(VIRTIO_NET_F.GSO);
  /** virtio-net-pci's vectors: 2 per queue pair + 2. */
  readonly msixVectors = 4;
  /** efi-virtio.rom's BAR: 256 KiB. */
  readonly romSize = 0x40000;
  private readonly configuredMac: Uint8Array;
  private mac: Uint8Array;
  private features = 0n;
  private rxMode = freshRxMode();
  private pending: Uint8Array[] = [];
  private access: VirtioQueueAccess | undefined;

  constructor(private readonly options: VirtioNetOptions) {
    this.configuredMac = options.mac.slice();
    this.mac = options.mac.slice();
    options.backend?.attach((frame) => this.receive(frame));
  }

  config(): Uint8Array {
    const c = new Uint8Array(8);
    c.set(this.mac, 0);
    c[6] = STATUS_LINK_UP;
    return c;
  }

  /** QEMU's virtio_net_set_config: a legacy driver without CTRL_MAC_ADDR sets the MAC here. */
  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    if (this.has(VIRTIO_F.VERSION_1) || this.has(VIRTIO_NET_F.CTRL_MAC_ADDR)) return;
    for (let i = 0; i < size; i++) if (offset + i < 6) this.mac[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  featuresNegotiated(features: bigint): void {
    this.features = features;
  }

  driverOk(): void {
    this.deliver();
  }

  attach(access: VirtioQueueAccess): void {
    this.access = access;
  }

  /** The receive queue got buffers: hand over what waits. Other queues go through handleChain. */
  queueNotified(queue: number): boolean {
    if (queue !== Q.rx) return false;
    this.deliver();
    return true;
  }

  handleChain(queue: number, chain: DescriptorChain, dma: GuestDma): number {
    if (queue === Q.tx) {
      this.transmit(chain, dma);
      return 0;
    }
    if (queue === Q.ctrl) return this.control(chain, dma);
    return 0;
  }

  reset(): void {
    this.mac = this.configuredMac.slice();
    this.features = 0n;
    this.rxMode = freshRxMode();
  }

  flush(): void {
    this.options.backend?.close();
  }

  private has(bit: number): boolean {
    return (this.features & featureBit(bit)) !== 0n;
  }

  /** The virtio header before every frame: 12 bytes with MRG_RXBUF or VERSION_1, else 10. */
  private get headerLength(): number {
    return this.has(VIRTIO_NET_F.MRG_RXBUF) || this.has(VIRTIO_F.VERSION_1) ? 12 : 10;
  }

  // ---- transmit ---------------------------------------------------------------------------

  private transmit(chain: DescriptorChain, dma: GuestDma): void {
    const bytes = gatherReadable(chain, dma);
    const total = bytes.length;
    const frame = bytes.slice(Math.min(this.headerLength, total));
    if (frame.length > 0) this.options.backend?.send(frame);
  }

  // ---- receive ----------------------------------------------------------------------------

  /** A frame from the backend: kept if the filter takes it, handed over when buffers allow. */
  private receive(frame: Uint8Array): void {
    if (!this.accepts(frame)) return;
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push(frame);
    this.deliver();
  }

  /** QEMU's receive_filter. */
  private accepts(frame: Uint8Array): boolean {
    if (frame.length < 6) return false;
    const m = this.rxMode;
    if (m.promisc) return true;
    const dest = macKey(frame);
    if (dest === 'ff:ff:ff:ff:ff:ff') return !m.nobcast;
    if (frame[0] & 1) return !m.nomulti && (m.allmulti || m.multi.has(dest));
    if (m.nouni) return false;
    return m.alluni || dest === macKey(this.mac) || m.uni.has(dest);
  }

  private deliver(): void {
    const access = this.access;
    if (!access) return;
    let delivered = false;
    try {
      while (this.pending.length > 0 && access.ready(Q.rx)) {
        const frame = this.pending[0];
        if (!this.place(frame, access)) {
          access.setNotification(Q.rx, true); // wait for the driver's next buffers
          break;
        }
        this.pending.shift();
        delivered = true;
      }
    } catch (err) {
      access.fail(err);
      return;
    }
    if (delivered) access.notify(Q.rx);
  }

  /** Write one frame (with its header) into the receive buffers; false when they are too few. */
  private place(frame: Uint8Array, access: VirtioQueueAccess): boolean {
    const mergeable = this.has(VIRTIO_NET_F.MRG_RXBUF);
    const data = new Uint8Array(this.headerLength + frame.length);
    data.set(frame, this.headerLength);
    const used: { chain: DescriptorChain; written: number }[] = [];
    let at = 0;
    while (at < data.length) {
      const chain = access.pop(Q.rx);
      if (!chain) {
        access.unpop(Q.rx, used.length);
        return false;
      }
      const room = chain.writable.reduce((n, s) => n + s.len, 0);
      const take = mergeable ? Math.min(room, data.length - at) : data.length;
      used.push({ chain, written: Math.min(take, room) });
      at += take;
    }
    if (mergeable) data[10] = used.length & 0xff; // num_buffers (little-endian u16)
    if (mergeable) data[11] = used.length >> 8;
    at = 0;
    for (const u of used) {
      let left = u.written;
      for (const seg of u.chain.writable) {
        if (left === 0) break;
        const n = Math.min(seg.len, left);
        access.dma.write(seg.addr, data.subarray(at, at + n));
        at += n;
        left -= n;
      }
      access.push(Q.rx, u.chain, u.written);
    }
    return true;
  }

  // ---- control queue ----------------------------------------------------------------------

  private control(chain: DescriptorChain, dma: GuestDma): number {
    const out = gatherReadable(chain, dma);
    const total = out.length;
    const ack = total >= 2 ? this.command(out[0], out[1], out.subarray(2)) : CTRL_ERR;
    const status = chain.writable[0];
    if (!status) return 0;
    dma.write(status.addr, Uint8Array.of(ack));
    return 1;
  }

  private command(cls: number, cmd: number, data: Uint8Array): number {
    switch (cls) {
      case CLASS.rx: return this.rxCommand(cmd, data);
      case CLASS.mac: return this.macCommand(cmd, data);
      case CLASS.vlan: return cmd <= 1 && data.length === 2 ? CTRL_OK : CTRL_ERR;
      case CLASS.announce: return cmd === 0 ? CTRL_OK : CTRL_ERR;
      case CLASS.guestOffloads: return cmd === 0 && data.length === 8 ? CTRL_OK : CTRL_ERR;
      default: return CTRL_ERR;
    }
  }

  private rxCommand(cmd: number, data: Uint8Array): number {
    if (data.length !== 1) return CTRL_ERR;
    const on = data[0] !== 0;
    const keys = ['promisc', 'allmulti', 'alluni', 'nomulti', 'nouni', 'nobcast'] as const;
    const key = keys[cmd];
    if (key === undefined) return CTRL_ERR;
    this.rxMode[key] = on;
    return CTRL_OK;
  }

  /** MAC_TABLE_SET: {u32 n; n MACs} unicast then multicast; MAC_ADDR_SET: 6 bytes. */
  private macCommand(cmd: number, data: Uint8Array): number {
    if (cmd === 1) {
      if (data.length !== 6) return CTRL_ERR;
      this.mac = data.slice();
      return CTRL_OK;
    }
    if (cmd !== 0) return CTRL_ERR;
    const tables: Set<string>[] = [];
    let at = 0;
    for (let t = 0; t < 2; t++) {
      if (at + 4 > data.length) return CTRL_ERR;
      const n = new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0, true);
      at += 4;
      if (at + 6 * n > data.length) return CTRL_ERR;
      const set = new Set<string>();
      for (let i = 0; i < n && i < MAC_TABLE_ENTRIES; i++) set.add(macKey(data, at + 6 * i));
      at += 6 * n;
      tables.push(set);
    }
    this.rxMode.uni = tables[0];
    this.rxMode.multi = tables[1];
    return CTRL_OK;
  }
}

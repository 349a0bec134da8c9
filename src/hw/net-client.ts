/**
 * The link between a NIC and a -netdev backend (QEMU's NetClientState pair): Ethernet frames
 * without any virtio header, one call per frame, in both directions.
 */

/** A -netdev backend as the NIC sees it. */
export interface NetBackend {
  /** QEMU's netdev id. */
  readonly id: string;
  /** A frame the guest sent. */
  send(frame: Uint8Array): void;
  /** Where frames for the guest go (the NIC attaches once). */
  attach(deliver: (frame: Uint8Array) => void): void;
  /** Close host sockets (machine exit). */
  close(): void;
}

/** QEMU's default MAC address of the n-th NIC without mac= (qemu_macaddr_default_if_unset). */
export function defaultMac(n: number): Uint8Array {
  return Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, (0x56 + n) & 0xff);
}

/** "52:54:00:12:34:56" to bytes, or undefined when it is not six hex pairs. */
export function parseMac(text: string): Uint8Array | undefined {
  const m = /^([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})$/.exec(text);
  return m ? Uint8Array.from(m.slice(1), (h) => parseInt(h, 16)) : undefined;
}

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** GDB remote serial protocol framing: `$payload#checksum`, acks, binary escapes, hex. */

export function checksum(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + payload.charCodeAt(i)) & 0xff;
  return sum.toString(16).padStart(2, '0');
}

export function frame(payload: string): string {
  return `$${payload}#${checksum(payload)}`;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function textToHex(text: string): string {
  return Buffer.from(text, 'latin1').toString('hex');
}

/** Undo the `}`-escapes of binary data (X packets). */
export function unescapeBinary(data: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === 0x7d && i + 1 < data.length) out.push(data.charCodeAt(++i) ^ 0x20);
    else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

export type Incoming = { kind: 'packet'; payload: string } | { kind: 'interrupt' } | { kind: 'ack' } | { kind: 'nack' };

/** Splits the byte stream from gdb into packets, Ctrl-C and acks (latin1 text, one char per byte). */
export class PacketReader {
  private buf = '';

  push(chunk: string): Incoming[] {
    this.buf += chunk;
    const out: Incoming[] = [];
    for (;;) {
      const c = this.buf[0];
      if (c === undefined) break;
      if (c === '+' || c === '-') { out.push({ kind: c === '+' ? 'ack' : 'nack' }); this.buf = this.buf.slice(1); continue; }
      if (c === '\x03') { out.push({ kind: 'interrupt' }); this.buf = this.buf.slice(1); continue; }
      if (c !== '$') { this.buf = this.buf.slice(1); continue; } // noise between packets
      const hash = this.buf.indexOf('#');
      if (hash < 0 || this.buf.length < hash + 3) break;
      out.push({ kind: 'packet', payload: this.buf.slice(1, hash) });
      this.buf = this.buf.slice(hash + 3);
    }
    return out;
  }
}

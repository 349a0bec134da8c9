/**
 * The HMP line editor for terminals: a re-implementation of QEMU 7.2's
 * util/readline.c, so that a terminal sees the same bytes QEMU sends
 * (each keystroke redraws the line with ESC[D ... ESC[K, like QEMU).
 *
 * Keys: printable characters insert; Backspace/DEL; Ctrl-A/Home start of
 * line; Ctrl-E/End end; Ctrl-D/Delete delete; Ctrl-W delete word; Ctrl-L
 * clear screen; Left/Right; Up/Down history (64 entries, duplicates moved to
 * the end); Tab completion; Enter/Ctrl-J runs the line.
 *
 * The line is kept as a "binary" string (one char per byte) because QEMU edits
 * bytes; the caller decodes the finished line.
 */

/** QEMU's READLINE_CMD_BUF_SIZE - 1: longer lines lose their excess bytes. */
export const CMD_BUF_SIZE = 4095;
const MAX_HISTORY = 64;

const enum Esc { Norm, Esc, Csi, Ss3 }

export interface LineEditorHost {
  /** Terminal output (binary string, "\n" still to be translated by the caller). */
  write(text: string): void;
  /**
   * Completion candidates for the line up to the cursor, and how many
   * characters of the word being completed are already typed.
   */
  complete(line: string): { readonly candidates: readonly string[]; readonly typed: number };
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

export class LineEditor {
  private buf = '';
  private index = 0;
  private lastBuf = '';
  private lastIndex = 0;
  private escState = Esc.Norm;
  private escParam = 0;
  private readonly history: string[] = [];
  /** Position in history while browsing with Up/Down, -1 when editing a new line. */
  private histEntry = -1;

  constructor(private readonly host: LineEditorHost, private readonly prompt: string) {}

  /** readline_show_prompt(). */
  showPrompt(): void {
    this.host.write(this.prompt);
    this.lastIndex = 0;
    this.lastBuf = '';
    this.escState = Esc.Norm;
  }

  /** readline_restart(): forget the line being edited. */
  restart(): void {
    this.buf = '';
    this.index = 0;
  }

  /** History entries, oldest first (HMP `info history`). */
  entries(): readonly string[] {
    return this.history;
  }

  /** readline_handle_byte(): returns the finished line when the byte was Enter. */
  handleByte(ch: number): string | undefined {
    let line: string | undefined;
    switch (this.escState) {
      case Esc.Norm: line = this.normal(ch); break;
      case Esc.Esc: this.escape(ch); break;
      case Esc.Csi: this.csi(ch); break;
      case Esc.Ss3: this.ss3(ch); break;
    }
    this.update();
    return line;
  }

  private normal(ch: number): string | undefined {
    switch (ch) {
      case 1: this.index = 0; break;
      case 4: this.deleteChar(); break;
      case 5: this.index = this.buf.length; break;
      case 9: this.completion(); break;
      case 10:
      case 13: return this.enter();
      case 12: this.clearScreen(); break;
      case 23: this.backWord(); break;
      case 27: this.escState = Esc.Esc; break;
      case 127:
      case 8: this.backspace(); break;
      case 155: this.escState = Esc.Csi; this.escParam = 0; break;
      default: if (ch >= 32) this.insert(String.fromCharCode(ch));
    }
    return undefined;
  }

  private escape(ch: number): void {
    this.escParam = 0;
    if (ch === 0x5b) this.escState = Esc.Csi;
    else if (ch === 0x4f) this.escState = Esc.Ss3;
    else this.escState = Esc.Norm;
  }

  private csi(ch: number): void {
    const c = String.fromCharCode(ch);
    if (c >= '0' && c <= '9') {
      this.escParam = this.escParam * 10 + Number(c);
      return;
    }
    switch (c) {
      case 'A': case 'F': this.historyUp(); break;
      case 'B': case 'E': this.historyDown(); break;
      case 'D': if (this.index > 0) this.index--; break;
      case 'C': if (this.index < this.buf.length) this.index++; break;
      case '~':
        if (this.escParam === 1) this.index = 0;
        else if (this.escParam === 3) this.deleteChar();
        else if (this.escParam === 4) this.index = this.buf.length;
        break;
      default: break;
    }
    this.escState = Esc.Norm;
  }

  private ss3(ch: number): void {
    if (ch === 0x46) this.index = this.buf.length;
    else if (ch === 0x48) this.index = 0;
    this.escState = Esc.Norm;
  }

  private enter(): string {
    const line = this.buf;
    this.addHistory(line);
    this.host.write('\n');
    this.buf = '';
    this.index = 0;
    this.lastBuf = '';
    this.lastIndex = 0;
    return line;
  }

  /** readline_update(): redraw what changed. */
  private update(): void {
    let out = '';
    if (this.buf !== this.lastBuf) {
      out += '\x1b[D'.repeat(this.lastIndex) + this.buf + '\x1b[K';
      this.lastBuf = this.buf;
      this.lastIndex = this.buf.length;
    }
    if (this.index !== this.lastIndex) {
      const delta = this.index - this.lastIndex;
      out += (delta > 0 ? '\x1b[C' : '\x1b[D').repeat(Math.abs(delta));
      this.lastIndex = this.index;
    }
    if (out !== '') this.host.write(out);
  }

  private insert(text: string): void {
    if (this.index >= CMD_BUF_SIZE) return;
    this.buf = this.buf.slice(0, this.index) + text + this.buf.slice(this.index);
    this.index++;
  }

  private deleteChar(): void {
    if (this.index < this.buf.length) this.buf = this.buf.slice(0, this.index) + this.buf.slice(this.index + 1);
  }

  private backspace(): void {
    if (this.index > 0) {
      this.index--;
      this.deleteChar();
    }
  }

  private backWord(): void {
    if (this.index === 0 || this.index > this.buf.length) return;
    let start = this.index - 1;
    while (start > 0 && isSpace(this.buf[start])) start--;
    while (start > 0) {
      if (isSpace(this.buf[start])) {
        start++;
        break;
      }
      start--;
    }
    if (start < this.index) {
      this.buf = this.buf.slice(0, start) + this.buf.slice(this.index);
      this.index = start;
    }
  }

  private clearScreen(): void {
    this.host.write('\x1b[2J\x1b[1;1H');
    this.showPrompt();
  }

  private historyUp(): void {
    if (this.histEntry === 0) return;
    if (this.histEntry === -1) this.histEntry = this.history.length;
    this.histEntry--;
    if (this.histEntry >= 0) {
      this.buf = this.history[this.histEntry];
      this.index = this.buf.length;
    }
  }

  private historyDown(): void {
    if (this.histEntry === -1) return;
    if (this.histEntry < MAX_HISTORY - 1 && this.histEntry + 1 < this.history.length) {
      this.histEntry++;
      this.buf = this.history[this.histEntry];
    } else {
      this.buf = '';
      this.histEntry = -1;
    }
    this.index = this.buf.length;
  }

  /** readline_hist_add(): an existing entry moves to the end; the oldest falls off when full. */
  private addHistory(line: string): void {
    if (line === '') return;
    const existing = this.history.indexOf(line);
    if (existing >= 0) this.history.splice(existing, 1);
    else if (this.history.length === MAX_HISTORY) this.history.shift();
    this.history.push(line);
    this.histEntry = -1;
  }

  /** readline_completion(). */
  private completion(): void {
    const { candidates, typed } = this.host.complete(this.buf.slice(0, this.index));
    if (candidates.length === 0) return;
    if (candidates.length === 1) {
      const only = candidates[0];
      for (let i = typed; i < only.length; i++) this.insert(only[i]);
      if (only.length > 0 && !only.endsWith('/')) this.insert(' ');
      return;
    }
    const sorted = [...candidates].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.host.write('\n');
    let maxPrefix = sorted[0].length;
    let maxWidth = 0;
    for (const c of sorted) {
      let j = 0;
      while (j < maxPrefix && j < c.length && c[j] === sorted[0][j]) j++;
      maxPrefix = j;
      maxWidth = Math.max(maxWidth, c.length);
    }
    for (let i = typed; i < maxPrefix; i++) this.insert(sorted[0][i]);
    maxWidth = Math.min(80, Math.max(10, maxWidth + 2));
    const columns = Math.floor(80 / maxWidth);
    sorted.forEach((c, i) => {
      this.host.write(c.padEnd(maxWidth));
      if ((i + 1) % columns === 0 || i === sorted.length - 1) this.host.write('\n');
    });
    this.showPrompt();
  }
}

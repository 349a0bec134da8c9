#!/usr/bin/env python3
"""
Captures what QEMU 7.2's monitor writes to a terminal, keystroke group by
keystroke group, for the line-editor and mux tests (tests/monitor/*.spec.ts
replay the same input into tsemu's monitor and compare byte for byte).

Usage: python3 tests/monitor/tools/capture-pty.py > tests/monitor/reference/pty-qemu-7.2.json

Each scenario runs qemu-system-riscv64 on a pseudo-terminal, sends each step's
bytes, and records everything QEMU printed until it went quiet. The pty's
output processing turns QEMU's "\r\n" into "\r\r\n"; that is undone here, so
the recorded text is what QEMU itself wrote.
"""
import json, os, pty, select, sys, time

SCENARIOS = [
    {
        'name': 'readline',
        'args': ['-M', 'virt', '-bios', 'none', '-S', '-display', 'none', '-serial', 'none', '-monitor', 'stdio'],
        'steps': [
            'info status\r', '\x01a', 'ab\x01c\x1b[D\x7fX\r',
            'inf\t', '\x7f\x7f\x7f\x7f\x7f', 'info reg\t', '\x15\x17', '\r',
            'trace-e\t', 'guest_cpu_e\t', 'n\t', 'of\t', '\r',
            'help inf\t', '\r',
            '\x1b[A', '\x1b[A', '\x1b[A\x1b[A', '\x1b[B', '\x1b[B', '\x1b[B',
            'abcdef', '\x1b[D\x1b[D', '\x04', '\x1b[3~', '\x1b[1~', '\x1b[C', '\x1b[4~', '\x1bOH', '\x1bOF',
            ' ghi jkl  ', '\x17', '\x17', '\x05\x01\x7f', '\x0c', '\x08\x08\x08\x08\x08\x08\x08\x08', '\x1b[F', '\x1b[E', '\x1bx',
            'info history\r', 'info status\r', 'info history\r', '\x1b[A\x1b[A\x1b[A\r',
            'x\t',
        ],
    },
    {
        'name': 'mux',
        'args': ['-M', 'virt', '-bios', 'none', '-S', '-nographic'],
        'steps': [
            '\x01c', 'info status\r', '\x01c', 'hello', '\x01c', 'x', '\x01c', 'yz', '\x01c', 'help cpu\r',
            'info history\r', '\x01c',
        ],
    },
]


def read_quiet(fd, quiet=0.6, limit=5.0):
    buf = b''
    end = time.time() + limit
    last = time.time()
    while time.time() < end and time.time() - last < quiet:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 65536)
            except OSError:
                break
            if not d:
                break
            buf += d
            last = time.time()
    return buf


def run(scenario):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp('qemu-system-riscv64', ['qemu-system-riscv64'] + scenario['args'])
    steps = []
    start = read_quiet(fd, quiet=1.0)
    for step in scenario['steps']:
        os.write(fd, step.encode('latin1'))
        out = read_quiet(fd)
        steps.append({'input': step, 'output': out.replace(b'\r\r\n', b'\r\n').decode('latin1')})
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return {'name': scenario['name'], 'args': scenario['args'], 'start': start.replace(b'\r\r\n', b'\r\n').decode('latin1'), 'steps': steps}


if __name__ == '__main__':
    version = os.popen('qemu-system-riscv64 --version').read().splitlines()[0]
    json.dump({'qemu': version, 'scenarios': [run(s) for s in SCENARIOS]}, sys.stdout, indent=1)
    sys.stdout.write('\n')

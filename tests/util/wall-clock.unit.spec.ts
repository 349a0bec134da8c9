import { expect } from 'chai';
import { wallClockMicros } from '../../src/util/wall-clock.js';

describe('util/wall-clock: microseconds that follow the wall clock', () => {
  const realNow = Date.now;
  afterEach(() => {
    Date.now = realNow;
  });

  it('reads within the millisecond Date.now() reports, with microseconds that move on', () => {
    const before = Date.now();
    const us = wallClockMicros();
    const after = Date.now();
    expect(us).to.be.within(before * 1000, after * 1000 + 999);
    let later = wallClockMicros();
    while (later === us) later = wallClockMicros();
    expect(later).to.be.greaterThan(us);
  });

  it('follows a step of the clock (an NTP step while the process runs), forward and back', () => {
    wallClockMicros();
    const step = 20_000;
    Date.now = () => realNow() + step;
    const ahead = wallClockMicros();
    expect(ahead).to.be.within((realNow() + step - 1) * 1000, (realNow() + step + 1) * 1000);
    Date.now = () => realNow() - step;
    const behind = wallClockMicros();
    expect(behind).to.be.within((realNow() - step - 1) * 1000, (realNow() - step + 1) * 1000);
  });
});

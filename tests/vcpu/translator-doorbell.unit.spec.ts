/**
 * The translator service sleeps on its doorbell and reads its control port only when woken
 * (src/threads/translator-worker.ts): a control message must ring the doorbell, or an idle
 * service would see it only at its safety timeout.
 */
import { expect } from 'chai';
import { createTranslatorChannel, ringTranslator, TranslatorServer } from '../../src/vcpu/translator-channel.js';

describe('vcpu/translator-channel: the doorbell for control messages', function () {
  it('ringTranslator moves the doorbell, so a wait that began from the old value returns', function () {
    const buffers = createTranslatorChannel();
    const server = new TranslatorServer(buffers);
    const seen = server.doorbellValue;
    ringTranslator(buffers);
    expect(server.doorbellValue).to.not.equal(seen);
    server.waitForRequests(60_000, seen); // returns at once: the value it waits on has moved
  });

});

/**
 * Preloaded (`node -r bench/provider-call-probe.js`) into the worker processes the bench
 * starts. It records the moment every simulated-provider call starts — the moment a vendor
 * would see the request — so rate-limit adherence is measured from the calls actually made,
 * not from the limiter's own bookkeeping (the limiter's Redis counters also count the refused
 * attempts, and a limiter cannot be its own witness). The parent asks for the record over the
 * IPC channel with the message 'bench:calls'.
 *
 * BENCH_PROBE_MODULE is the absolute path of the built simulated-provider module; requiring it
 * here puts the patched class in the module cache the worker then loads it from.
 */
'use strict';

const target = process.env.BENCH_PROBE_MODULE;
if (!target) throw new Error('provider-call-probe: BENCH_PROBE_MODULE is not set');
const { SimulatedProvider } = require(target);
if (typeof SimulatedProvider?.prototype?.lookup !== 'function') {
  throw new Error(`provider-call-probe: ${target} exports no SimulatedProvider with lookup()`);
}

/** [provider name, epoch milliseconds (sub-ms resolution), leads in the call] */
const calls = [];
const lookup = SimulatedProvider.prototype.lookup;
SimulatedProvider.prototype.lookup = function probedLookup(leads) {
  calls.push([this.name, performance.timeOrigin + performance.now(), leads.length]);
  return lookup.call(this, leads);
};

process.on('message', (message) => {
  if (message === 'bench:calls' && process.send) process.send({ type: 'bench:calls', calls: calls.splice(0) });
});
// The IPC channel must not keep a worker alive that is asked to shut down.
if (process.channel) process.channel.unref();

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Imported first (`node --import`) into each service process by `bench --alloc-profile`: V8's
 * sampling heap profiler, keeping the samples of objects already collected, so the profile is
 * what the process allocated over its life (node --heap-prof writes only what is still live,
 * which says nothing of the garbage the collector spends its time on). Written to the file
 * BENCH_ALLOC_PROFILE names when the process is told to stop, or exits; `node
 * dist/bench/profile-summary.js FILE.heapprofile` summarises it.
 */
const target = process.env.BENCH_ALLOC_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  // One sample per 16 KiB allocated on average: cheap enough to leave the figures near their usual values.
  const params = { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
  session.post('HeapProfiler.startSampling', params as never);
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // An in-process session answers synchronously, so this also works inside 'exit'.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) process.stderr.write(`allocation profile not written: ${error.message}\n`);
      else writeFileSync(target, JSON.stringify(result.profile));
    });
  };
  process.prependListener('SIGTERM', write);
  process.on('exit', write);
}

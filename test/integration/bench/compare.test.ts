import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRuns, formatComparison, roundOrder, runArguments, type ComparedFigure } from '../../../bench/support/compare.js';
import { median } from '../../../bench/support/stats.js';
import type { ScenarioResult } from '../../../bench/support/report.js';
import { runCommand } from '../../support/run-command.js';

const BENCH = fileURLToPath(new URL('../../../bench/main.js', import.meta.url));
/** The checkout these tests were built from: compared with itself, it is a built base. */
const CHECKOUT = fileURLToPath(new URL('../../../../', import.meta.url));

const result = (scenario: string, figures: Record<string, number>): ScenarioResult => ({ scenario, figures, configuration: {} });

describe('bench --compare: two builds measured alternately', () => {
  describe('the parts', () => {
    it('passes every option but its own to the runs', () => {
      expect(runArguments(['--compare', '../base', '--size', 'small', '--rounds=5', '--scenario', 'burst', '--out', 'x', '--service-env', 'A=1'])).to.deep.equal([
        '--size',
        'small',
        '--scenario',
        'burst',
        '--service-env',
        'A=1',
      ]);
      expect(runArguments(['--compare=../base', '--out=x', '--quick'])).to.deep.equal(['--quick']);
    });

    it('alternates which side runs first', () => {
      expect(roundOrder(3)).to.deep.equal([
        ['base', 'this'],
        ['this', 'base'],
        ['base', 'this'],
      ]);
    });

    it('takes the median of odd and even counts', () => {
      expect(median([5, 1, 3])).to.equal(3);
      expect(median([4, 1, 3, 2])).to.equal(2.5);
    });

    it('lines up figures by scenario, tells repeated scenarios apart by place, and leaves out what one side lacks or could not take', () => {
      const base = [
        [result('burst', { started_per_s: 100, cpu_s: 2 }), result('burst', { started_per_s: 90, cpu_s: 0 }), result('latency', { p50: 5 })],
        [result('burst', { started_per_s: 120, cpu_s: 4 }), result('burst', { started_per_s: 80, cpu_s: 0 }), result('latency', { p50: 7, never: Number.NaN })],
      ];
      const current = [
        [result('burst', { started_per_s: 150, cpu_s: 1, new_figure: 1 }), result('burst', { started_per_s: 85, cpu_s: 1 }), result('latency', { p50: 4 })],
        [result('burst', { started_per_s: 170, cpu_s: 1, new_figure: 2 }), result('burst', { started_per_s: 95, cpu_s: 1 }), result('latency', { p50: 4, never: null as unknown as number })],
      ];
      const byKey = new Map(compareRuns(base, current).map((f) => [`${f.scenario} ${f.figure}`, f]));
      expect([...byKey.keys()]).to.deep.equal(['burst[1] started_per_s', 'burst[1] cpu_s', 'burst[2] started_per_s', 'burst[2] cpu_s', 'latency p50']);
      expect(byKey.get('burst[1] started_per_s')).to.deep.include({ base: [100, 120], this: [150, 170], base_median: 110, this_median: 160 });
      expect(byKey.get('burst[1] started_per_s')!.change).to.be.closeTo(160 / 110 - 1, 1e-12);
      expect(byKey.get('burst[2] cpu_s')!.change).to.equal(null);
      expect(byKey.get('latency p50')!.change).to.be.closeTo(-1 / 3, 1e-12);
    });

    it('prints medians, the change and every run', () => {
      const figures: ComparedFigure[] = [{ scenario: 'burst', figure: 'started_per_s', base: [100, 120], this: [150, 170], base_median: 110, this_median: 160, change: 160 / 110 - 1 }];
      const table = formatComparison(figures).split('\n');
      expect(table[0]).to.match(/^scenario +figure +base \(median\) +this \(median\) +change +base runs +this runs$/);
      expect(table[2]).to.match(/^burst +started_per_s +110 +160 +\+45\.5% +100 \/ 120 +150 \/ 170$/);
    });
  });

  describe('a whole comparison', function () {
    this.timeout(300_000);
    let out: string;
    before(() => {
      out = mkdtempSync(join(tmpdir(), 'jobscheduler-compare-'));
    });
    after(() => rmSync(out, { recursive: true, force: true }));

    it('runs both builds alternately and reports every figure of every run', async () => {
      const run = await runCommand(process.execPath, [BENCH, '--compare', CHECKOUT, '--rounds', '2', '--quick', '--scenario', 'roundtrip', '--out', out]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^scenario +figure +base \(median\)/);
      expect(run.stderr).to.match(/round 1 of 2: base …[\s\S]*round 1 of 2: this …[\s\S]*round 2 of 2: this …[\s\S]*round 2 of 2: base …/);
      const [dir] = readdirSync(out).filter((name) => name.startsWith('compare-'));
      expect(readdirSync(join(out, dir!)).sort()).to.deep.equal(['base-1', 'base-2', 'comparison.json', 'this-1', 'this-2']);
      const comparison = JSON.parse(readFileSync(join(out, dir!, 'comparison.json'), 'utf8')) as { rounds: number; run_arguments: string[]; figures: ComparedFigure[] };
      expect(comparison.rounds).to.equal(2);
      expect(comparison.run_arguments).to.deep.equal(['--quick', '--scenario', 'roundtrip']);
      expect(comparison.figures.length).to.be.greaterThan(0);
      for (const figure of comparison.figures) {
        expect(figure.scenario).to.equal('grpc-roundtrip');
        expect(figure.base).to.have.length(2);
        expect(figure.this).to.have.length(2);
        expect(run.stdout).to.contain(figure.figure);
      }
    });

    it('refuses a directory that holds no built benchmark, and --rounds without --compare', async () => {
      const missing = await runCommand(process.execPath, [BENCH, '--compare', out, '--quick', '--scenario', 'roundtrip', '--out', out]);
      expect(missing.code).to.not.equal(0);
      expect(missing.stderr).to.contain('--compare needs a built checkout');
      const stray = await runCommand(process.execPath, [BENCH, '--rounds', '2', '--quick', '--scenario', 'roundtrip', '--out', out]);
      expect(stray.code).to.not.equal(0);
      expect(stray.stderr).to.contain('--rounds goes with --compare');
    });
  });
});

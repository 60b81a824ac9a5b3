import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';

const ALERTS = 'deploy/prometheus/alerts.yml';
const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';
const DASHBOARD = 'deploy/grafana/jobscheduler.json';

/** Every series name the service exposes (histograms as their _bucket, _count and _sum), and Prometheus' own `up`. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = new PrometheusMetrics();
  metrics.watchPool({ totalCount: 0, idleCount: 0, waitingCount: 0 }, 10);
  metrics.watchHealth({ isServing: true, isDatabaseReachable: true });
  metrics.watchWorkers({ workerTypes: () => [] });
  const names = new Set(['up']);
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

/** Names in a PromQL expression that look like the service's metrics (or `up`). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(jobscheduler_[a-z0-9_]+|up(?=\{))/g)].map((m) => m[1] as string);
}

function unknownIn(expr: string, exported: Set<string>): string[] {
  const names = metricNames(expr);
  return names.length === 0 ? [`(no metric of the service in "${expr}")`] : names.filter((name) => !exported.has(name));
}

function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ type: string; definition?: string }> };
  };
  return [
    ...dashboard.panels.flatMap((panel) => (panel.type === 'row' ? [] : (panel.targets ?? []).map((t) => t.expr))),
    ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.definition ?? ''),
  ];
}

function alertRules(): Array<{ alert: string; expr: string; annotations: { runbook: string } }> {
  const file = parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string; annotations: { runbook: string } }> }> };
  return file.groups.flatMap((group) => group.rules);
}

/** promtool from Debian's prometheus package; npm test installs it (scripts/test.mjs). */
function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('promtool is not installed: run npm test (it installs Debian\'s prometheus package) or apt-get install prometheus');
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

describe('shipped monitoring: alert rules, Prometheus config, Grafana dashboard, compose services', () => {
  it('the check below finds a metric the service does not export', async () => {
    expect(unknownIn('sum(rate(jobscheduler_executions_finshed_total[5m]))', await exportedNames())).to.deep.equal(['jobscheduler_executions_finshed_total']);
    expect(unknownIn('vector(1)', await exportedNames())).to.have.length(1);
  });

  it('every query of the Grafana dashboard names metrics the service exports', async () => {
    const exported = await exportedNames();
    const queries = dashboardQueries();
    expect(queries.length).to.be.greaterThan(10);
    expect(queries.flatMap((expr) => unknownIn(expr, exported))).to.deep.equal([]);
  });

  it('the dashboard covers throughput, success rate, lag, queue depth, rescues and RPC latency', () => {
    const all = dashboardQueries().join('\n');
    for (const name of ['jobscheduler_executions_started_total', 'status="succeeded"', 'jobscheduler_schedule_lag_seconds_bucket', 'jobscheduler_queue_depth', 'jobscheduler_leases_rescued_total', 'jobscheduler_grpc_request_duration_seconds_bucket']) {
      expect(all).to.include(name);
    }
  });

  it('every alert rule names metrics the service exports, and has a runbook entry in docs/operations.md', async () => {
    const exported = await exportedNames();
    const rules = alertRules();
    expect(rules.map((r) => r.alert)).to.include.members([
      'JobSchedulerSuccessRateLow',
      'JobSchedulerLeasesRescued',
      'JobSchedulerDeadMansSwitch',
      'JobSchedulerQueueBacklog',
      'JobSchedulerLagHigh',
      'JobSchedulerNoWorker',
      'JobSchedulerDown',
      'JobSchedulerDatabaseUnreachable',
    ]);
    expect(rules.flatMap((rule) => unknownIn(rule.expr, exported))).to.deep.equal([]);
    const runbook = readFileSync('docs/operations.md', 'utf8').split('\n## Runbook')[1] ?? '';
    for (const rule of rules) {
      const entry = /\((.+)\)$/.exec(rule.annotations.runbook)?.[1];
      expect(entry, `${rule.alert}: runbook annotation`).to.be.a('string');
      expect(runbook, `${rule.alert}: the runbook has an entry **${entry}.**`).to.include(`**${entry}.**`);
    }
  });

  it('promtool: the rules load, and each alert fires on synthetic trouble and stays quiet on healthy series', () => {
    expect(promtool('check', 'rules', ALERTS)).to.include('SUCCESS');
    expect(promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml')).to.include('SUCCESS');
  });

  it('compose.yaml: the observability profile mounts files that exist, and the Prometheus config it mounts loads the rules (promtool check config)', () => {
    const compose = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, { profiles?: string[]; volumes?: string[]; command?: string[] }> };
    const observability = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('observability'));
    expect(observability.map(([name]) => name)).to.include.members(['prometheus', 'grafana']);
    const mounts = new Map<string, string>();
    for (const [name, service] of observability) {
      for (const volume of service.volumes ?? []) {
        const [source, target] = volume.split(':') as [string, string];
        expect(source, `${name} mounts a file of the repository`).to.match(/^\.\//);
        expect(existsSync(source), `${name}: ${source} exists`).to.equal(true);
        mounts.set(target, source);
      }
    }
    // The config Prometheus is told to load is a mounted file, and so is every rule file it names.
    const configPath = /--config\.file=(\S+)/.exec((compose.services.prometheus?.command ?? []).join(' '))?.[1] ?? '/etc/prometheus/prometheus.yml';
    const configSource = mounts.get(configPath);
    expect(configSource).to.equal(`./${PROMETHEUS_CONFIG}`);
    const config = parse(readFileSync(configSource!, 'utf8')) as { rule_files: string[] };
    expect(config.rule_files).to.have.length.greaterThan(0);
    for (const ruleFile of config.rule_files) {
      const inContainer = posix.join(posix.dirname(configPath), ruleFile);
      expect(mounts.get(inContainer), `${inContainer} is mounted`).to.equal(`./${join(dirname(PROMETHEUS_CONFIG), ruleFile)}`);
    }
    expect(mounts.get('/var/lib/grafana/dashboards/jobscheduler.json')).to.equal(`./${DASHBOARD}`);
    const checked = promtool('check', 'config', PROMETHEUS_CONFIG);
    expect(checked).to.include('SUCCESS: 1 rule files found');
    expect(checked).to.match(/SUCCESS: \d+ rules found/);
  });
});

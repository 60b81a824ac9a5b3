import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ACCESS_POLICY } from '../../../src/adapters/grpc/auth/access-policy.js';
import { rolesGranting, ROLES, type Role } from '../../../src/adapters/grpc/auth/principal.js';
import { JobSchedulerService } from '../../../src/gen/jobscheduler/v1/job_scheduler_service_pb.js';
import { WorkerService } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { QuotaService } from '../../../src/gen/jobscheduler/v1/quota_service_pb.js';

import { WebhookService } from '../../../src/gen/jobscheduler/v1/webhook_service_pb.js';

const SERVICES = { JobSchedulerService, WorkerService, QuotaService, WebhookService };

/**
 * The role table of docs/security.md, read row by row: "| Service: A, B | ✓ | | … |" becomes
 * method path → the roles whose column is ticked. Operators read that table, so it must say
 * what src/adapters/grpc/auth/access-policy.ts enforces.
 */
function documentedRoles(): Map<string, Role[]> {
  const doc = readFileSync('docs/security.md', 'utf8');
  const header = `| RPC | ${ROLES.join(' | ')} |`;
  const start = doc.indexOf(header);
  if (start < 0) throw new Error(`docs/security.md has no table starting "${header}"`);
  const rows = doc.slice(start).split('\n').slice(2);
  const table = new Map<string, Role[]>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [rpcs, ...cells] = row.split('|').slice(1, -1).map((cell) => cell.trim());
    const match = /^(\w+): (.+)$/.exec(rpcs ?? '');
    if (!match || !(match[1]! in SERVICES)) continue; // health and reflection rows
    const service = SERVICES[match[1] as keyof typeof SERVICES];
    const roles = ROLES.filter((_, i) => cells[i] === '✓');
    for (const name of match[2]!.split(',').map((part) => part.trim())) {
      const path = `/${service.typeName}/${name}`;
      expect(table.has(path), `${path} appears twice in the docs' role table`).to.equal(false);
      table.set(path, roles);
    }
  }
  return table;
}

describe('docs/security.md role table', () => {
  it('lists every RPC once, with exactly the roles the access policy grants it to', () => {
    const documented = documentedRoles();
    const actual = new Map(ACCESS_POLICY.methods.map((path) => [path, rolesGranting(ACCESS_POLICY.ruleFor(path)!.role)]));
    expect(Object.fromEntries(documented)).to.deep.equal(Object.fromEntries(actual));
  });

  it('says for every role what it can see, and that reader sees payloads, results and error details', () => {
    const doc = readFileSync('docs/security.md', 'utf8');
    const header = '| Role | Can do | Can see |';
    const start = doc.indexOf(header);
    expect(start, `docs/security.md has a table starting "${header}"`).to.be.at.least(0);
    const rows = new Map<string, string>();
    for (const row of doc.slice(start).split('\n').slice(2)) {
      if (!row.startsWith('|')) break;
      const [role, , canSee] = row.split('|').slice(1, -1).map((cell) => cell.trim());
      rows.set(role!.replaceAll('`', ''), canSee!);
    }
    expect([...rows.keys()]).to.deep.equal([...ROLES]);
    for (const data of ['payloads', 'result', 'error details']) expect(rows.get('reader'), `reader row names ${data}`).to.include(data);
    expect(rows.get('worker')).to.include('payload');
  });
});

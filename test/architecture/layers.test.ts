import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findClientPackageViolations, findLayerViolations } from '../../scripts/check-layers.js';

describe('layer rule (src/domain and src/application stay pure)', () => {
  it('holds for the sources', () => {
    expect(findLayerViolations('src')).to.deep.equal([]);
  });

  describe('catches a forbidden import', () => {
    let root: string;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'layers-'));
      write('domain/ok.ts', "import { x } from './other.js';\nexport const y = x;\n");
      write('application/ok.ts', "import type { Job } from '../domain/job.js';\nimport { z } from './ports/z.js';\n");
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const cases: Array<[string, string, string]> = [
      ['application/use-case.ts', "import pg from 'pg';", 'pg'],
      ['application/use-case.ts', "import { Server } from '@grpc/grpc-js';", '@grpc/grpc-js'],
      ['application/use-case.ts', "import { pino } from 'pino';", 'pino'],
      ['application/use-case.ts', "import { Container } from 'inversify';", 'inversify'],
      ['application/use-case.ts', "import 'reflect-metadata';", 'reflect-metadata'],
      ['application/engine/fire.ts', "import { trace } from '@opentelemetry/api';", '@opentelemetry/api'],
      ['application/use-case.ts', "import { JobSchema } from '../gen/jobscheduler/v1/job_pb.js';", '../gen/jobscheduler/v1/job_pb.js'],
      ['application/deep/use-case.ts', "import { repo } from '../../adapters/pg/jobs.js';", '../../adapters/pg/jobs.js'],
      ['domain/job.ts', "export { handler } from '../application/handler.js';", '../application/handler.js'],
      ['domain/job.ts', "const fs = await import('node:fs');", 'node:fs'],
      ['domain/job.ts', "import type { Pool } from 'pg';", 'pg'],
    ];
    for (const [file, line, specifier] of cases) {
      it(`${file}: ${line}`, () => {
        write(file, `${line}\n`);
        const violations = findLayerViolations(root);
        expect(violations.map((v) => [v.file, v.line, v.specifier])).to.deep.equal([[file, 1, specifier]]);
      });
    }
  });
});

describe('client package rule (the client reaches nothing of the server)', () => {
  it('holds for the sources', () => {
    expect(findClientPackageViolations('src')).to.deep.equal([]);
  });

  describe('catches', () => {
    let root: string;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'client-closure-'));
      write('client/index.ts', "export * from '../sdk/index.js';\nexport * from './cli/run.js';\n");
      write('client/cli/main.ts', "import { run } from './run.js';\n");
      write('client/cli/run.ts', "import { credentials } from '@grpc/grpc-js';\n");
      write('sdk/index.ts', "import { create } from '@bufbuild/protobuf';\nimport { timestampDate } from '@bufbuild/protobuf/wkt';\n");
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('nothing in a clean closure', () => {
      expect(findClientPackageViolations(root)).to.deep.equal([]);
    });

    const cases: Array<[string, string, string]> = [
      ['sdk/index.ts', "import { pino } from 'pino';", 'pino'],
      ['sdk/index.ts', "import { loadConfig } from '../adapters/config/config.js';", '../adapters/config/config.js'],
      ['client/cli/run.ts', "import { JobDefinition } from '../../domain/job/job-definition.js';", '../../domain/job/job-definition.js'],
    ];
    for (const [file, line, specifier] of cases) {
      it(`${file}: ${line}`, () => {
        write(file, `${line}\n`);
        expect(findClientPackageViolations(root).map((v) => [v.file, v.line, v.specifier])).to.deep.equal([[file, 1, specifier]]);
      });
    }
  });
});

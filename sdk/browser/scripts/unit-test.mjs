// Unit tests of the SDK's pure parts: compiles src/ with tsc into a temp
// directory, copies test/*.test.mjs beside it and runs node's test runner.
// Usage (from the repository root): npm --prefix sdk/browser test
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'govidu-sdk-test-'));
try {
    const tsc = join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = spawnSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.dts.json'), '--emitDeclarationOnly', 'false', '--declaration', 'false', '--outDir', join(out, 'src')], { stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
    writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
    cpSync(join(pkg, 'test'), join(out, 'test'), { recursive: true });
    const tests = readdirSync(join(out, 'test')).filter((f) => f.endsWith('.test.mjs')).map((f) => join(out, 'test', f));
    const run = spawnSync(process.execPath, ['--test', ...tests], { stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
} finally {
    rmSync(out, { recursive: true, force: true });
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('README code samples', () => {
  it('type-check against the built package', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    // Inside the package so 'ali-oss-managed-credentials' resolves by self-reference, like in user code.
    const dir = mkdtempSync(join(ROOT, 'test', 'readme', '.samples-'));
    try {
      const files = blocks.map((block, index) => {
        const file = join(dir, `sample-${index}.ts`);
        // Samples are fragments: the values they take from the surrounding text are declared here, unless the
        // sample defines them itself.
        const context = [
          /^const secretName\b/m.test(block) ? '' : 'declare const secretName: string;\n',
          /^const ossOptions\b/m.test(block) ? '' : 'declare const ossOptions: { endpoint: string };\n',
        ].join('');
        writeFileSync(file, `${context}${block}\nexport {};\n`);
        return file;
      });
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
        types: ['node'],
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file ? `${d.file.fileName.slice(dir.length + 1)}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

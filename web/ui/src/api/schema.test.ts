import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// The API types come from the OpenAPI document, never written twice by hand: when the contract
// changes, `npm run gen:api` must run and its output be committed with it.
it('src/api/schema.d.ts is generated from the current web/api/openapi.yaml', () => {
  const root = join(__dirname, '..', '..');
  const cli = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  const fresh = execFileSync(process.execPath, [cli, join(root, '..', 'api', 'openapi.yaml')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const committed = readFileSync(join(__dirname, 'schema.d.ts'), 'utf8');
  expect(committed, 'the API types are stale: run `npm run gen:api` in web/ui').toBe(fresh);
});

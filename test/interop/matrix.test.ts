// The interoperability matrix under vitest: one test per row of the same case table that
// `npm run interop` runs (test/interop/cases.ts), at most two cases at a time.

import { beforeAll, describe, expect, it } from 'vitest';
import { pkiDir } from '../helpers/pki.js';
import { CASES } from './cases.js';
import { Limit, runCase } from './runner.js';

const limit = new Limit(2);

beforeAll(() => {
  pkiDir();
}, 120_000);

describe.concurrent('interoperability matrix', () => {
  for (const c of CASES) {
    // The case's own timeout starts once it runs; the margin covers waiting for a free slot.
    it(
      c.id,
      async () => {
        const result = await limit.run(() => runCase(c));
        expect(result.problems).toEqual([]);
      },
      3 * c.timeoutMs,
    );
  }
});

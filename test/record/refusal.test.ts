// refusalRecord: the plaintext fatal alert a server sends to turn a peer away before any handshake.

import { describe, expect, it } from 'vitest';
import { AlertDescription, limitError, refusalRecord, TlsError } from '../../src/index.js';

describe('refusalRecord', () => {
  it('is one plaintext TLS 1.2 fatal alert record carrying the alert errors.ts picks', () => {
    const refusal = new TlsError('busy', { kind: 'limit', code: 'too_many_sessions' });
    expect([...refusalRecord(refusal)]).toEqual([21, 3, 3, 0, 2, 2, AlertDescription.internal_error]);
  });

  it('carries a limit error’s own alert when it names one', () => {
    const refusal = limitError('record_overflow', 'too big');
    expect([...refusalRecord(refusal)]).toEqual([21, 3, 3, 0, 2, 2, AlertDescription.record_overflow]);
  });
});

// The soak's heap-snapshot comparison (bench/soak/heap-diff.ts): grouping by node type and name, and
// the growth ordering that tells compiled code from retained objects.

import { describe, expect, it } from 'vitest';
import { diffGroups, groupSnapshot } from '../../bench/soak/heap-diff.js';

/** A snapshot in V8's format: nodes are flat rows of [type, name, id, self_size, edge_count]. */
function snapshot(rows: Array<[type: number, name: number, size: number]>) {
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['hidden', 'array', 'string', 'object', 'code'] as string[]] as [string[]],
      },
    },
    nodes: rows.flatMap(([type, name, size], id) => [type, name, id, size, 0]),
    strings: ['', 'TlsConnection', 'hello', '(code deopt data)', 'other string value'],
  };
}

describe('heap-diff', () => {
  it('groups nodes by type and name, strings by type alone', () => {
    const groups = groupSnapshot(
      snapshot([
        [3, 1, 100],
        [3, 1, 50],
        [2, 2, 20],
        [2, 4, 30],
        [4, 3, 400],
      ]),
    );
    expect(groups.get('object TlsConnection')).toEqual({ count: 2, bytes: 150 });
    expect(groups.get('string ')).toEqual({ count: 2, bytes: 50 });
    expect(groups.get('code (code deopt data)')).toEqual({ count: 1, bytes: 400 });
  });

  it('lists changed groups largest growth first and leaves unchanged ones out', () => {
    const before = groupSnapshot(
      snapshot([
        [3, 1, 100],
        [4, 3, 400],
        [2, 2, 20],
      ]),
    );
    const after = groupSnapshot(
      snapshot([
        [3, 1, 100],
        [3, 1, 100],
        [4, 3, 1400],
        [2, 2, 20],
      ]),
    );
    const changes = diffGroups(before, after);
    expect(changes.map((c) => c.key)).toEqual(['code (code deopt data)', 'object TlsConnection']);
    expect(changes[1]).toEqual({
      key: 'object TlsConnection',
      before: { count: 1, bytes: 100 },
      after: { count: 2, bytes: 200 },
    });
  });
});

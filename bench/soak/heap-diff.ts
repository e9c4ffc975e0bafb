// Compares two V8 heap snapshots (the soak server's before and after): live objects grouped by
// node type and constructor/name, counts and self sizes, largest growth first.
// Run: npx esbuild bench/soak/heap-diff.ts --bundle --platform=node --format=esm --outfile=dist-bench/heap-diff.mjs
//      node dist-bench/heap-diff.mjs before.heapsnapshot after.heapsnapshot [--top N]

import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface Group {
  count: number;
  bytes: number;
}

/** Every node of a snapshot, grouped as "type name" (names of code and strings cut to 60 chars). */
export function groupSnapshot(file: HeapSnapshotFile): Map<string, Group> {
  const fields = file.snapshot.meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = file.snapshot.meta.node_types[0];
  const groups = new Map<string, Group>();
  for (let i = 0; i < file.nodes.length; i += stride) {
    const type = typeNames[file.nodes[i + typeAt]!] ?? '?';
    // Strings and numbers are grouped by type alone: their "names" are their values.
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number'
        ? ''
        : (file.strings[file.nodes[i + nameAt]!] ?? '').slice(0, 60);
    const key = `${type} ${name}`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += file.nodes[i + sizeAt]!;
    groups.set(key, g);
  }
  return groups;
}

export interface GroupChange {
  key: string;
  before: Group;
  after: Group;
}

/** Groups whose size changed, largest growth first. */
export function diffGroups(before: Map<string, Group>, after: Map<string, Group>): GroupChange[] {
  const none: Group = { count: 0, bytes: 0 };
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((key) => ({ key, before: before.get(key) ?? none, after: after.get(key) ?? none }))
    .filter((c) => c.after.bytes !== c.before.bytes)
    .sort((a, b) => b.after.bytes - b.before.bytes - (a.after.bytes - a.before.bytes));
}

function total(groups: Map<string, Group>, type?: string): number {
  let sum = 0;
  for (const [key, g] of groups) if (!type || key.startsWith(`${type} `)) sum += g.bytes;
  return sum;
}

function main(): void {
  const args = process.argv.slice(2);
  const [beforePath, afterPath] = args;
  if (!beforePath || !afterPath) {
    console.error('usage: heap-diff BEFORE.heapsnapshot AFTER.heapsnapshot [--top N]');
    process.exit(2);
  }
  const top = args.includes('--top') ? Number(args[args.indexOf('--top') + 1]) : 30;
  const read = (p: string) => groupSnapshot(JSON.parse(readFileSync(p, 'utf8')) as HeapSnapshotFile);
  const before = read(beforePath);
  const after = read(afterPath);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `all nodes: ${kib(total(before))} → ${kib(total(after))} (${kib(total(after) - total(before))})`,
  );
  for (const type of ['code', 'object', 'closure', 'array', 'string', 'hidden', 'native', 'object shape']) {
    const b = total(before, type);
    const a = total(after, type);
    console.log(
      `  ${type.padEnd(13)} ${kib(b).padStart(12)} → ${kib(a).padStart(12)}  ${kib(a - b).padStart(12)}`,
    );
  }
  console.log(`\nlargest changes (type name: count before → after, bytes change):`);
  for (const c of diffGroups(before, after).slice(0, top)) {
    console.log(
      `  ${kib(c.after.bytes - c.before.bytes).padStart(11)}  ${c.before.count} → ${c.after.count}  ${c.key}`,
    );
  }
}

if (process.argv[1] && /heap-diff\.(ts|mjs|js)$/.test(process.argv[1])) main();

/**
 * MurmurHash3 x86 32-bit, the hash behind Iceberg's bucket transform (spec App. B: "32-bit hash
 * requirements"; Java uses Guava's `Hashing.murmur3_32_fixed()`). Returns the signed 32-bit
 * result, as Java's `HashCode.asInt()`, so values compare directly with the spec's table.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  let x = Math.imul(k, C1);
  x = (x << 15) | (x >>> 17);
  return Math.imul(x, C2);
}

export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const len = data.length;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h ^= mixK(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = len & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= data[blocks + 2]! << 16;
    if (rest >= 2) k ^= data[blocks + 1]! << 8;
    k ^= data[blocks]!;
    h ^= mixK(k);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

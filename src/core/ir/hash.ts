// SHA-1 of text, for cache keys (the report cache, the panel cache). A pure-JS hash rather than
// node:crypto, so the same core runs in the language server's Node process and in a browser worker.
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

export interface TextHash {
  update(text: string): TextHash;
  /** The digest as 40 hex digits; the hash cannot be updated afterwards. */
  digest(): string;
}

export function textHash(): TextHash {
  const h = sha1.create();
  const self: TextHash = {
    update(text) {
      h.update(encoder.encode(text));
      return self;
    },
    digest: () => bytesToHex(h.digest()),
  };
  return self;
}

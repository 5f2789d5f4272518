/**
 * A digit trie for longest-prefix matching: country calling codes in numbering, destination prefixes
 * in rate decks. Lookups walk at most one node per digit and allocate nothing.
 *
 * @example
 * const trie = new PrefixTrie<string>();
 * trie.insert('44', 'United Kingdom');
 * trie.insert('447', 'United Kingdom mobile');
 * trie.longestMatch('447700900123'); // { prefix: '447', value: 'United Kingdom mobile' }
 */
interface TrieNode<T> {
  children: Array<TrieNode<T> | undefined>;
  value?: T;
  hasValue: boolean;
}

export interface PrefixMatch<T> {
  readonly prefix: string;
  readonly value: T;
}

function newNode<T>(): TrieNode<T> {
  return { children: new Array<TrieNode<T> | undefined>(10), hasValue: false };
}

export class PrefixTrie<T> {
  private readonly root: TrieNode<T> = newNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Stores `value` under a prefix of digits; returns false if the prefix already had a value. */
  insert(prefix: string, value: T): boolean {
    if (!/^\d+$/.test(prefix)) throw new Error(`prefix must be digits, got "${prefix}"`);
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const digit = prefix.charCodeAt(i) - 48;
      node = node.children[digit] ??= newNode();
    }
    if (node.hasValue) return false;
    node.value = value;
    node.hasValue = true;
    this.count++;
    return true;
  }

  /** The longest stored prefix of `digits` (from offset `from`), or undefined. */
  longestMatch(digits: string, from = 0): PrefixMatch<T> | undefined {
    let node: TrieNode<T> | undefined = this.root;
    let best: TrieNode<T> | undefined;
    let bestEnd = from;
    for (let i = from; i < digits.length && node; i++) {
      const digit = digits.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      node = node.children[digit];
      if (node?.hasValue) {
        best = node;
        bestEnd = i + 1;
      }
    }
    return best ? { prefix: digits.slice(from, bestEnd), value: best.value as T } : undefined;
  }
}

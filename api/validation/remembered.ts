// Checks that remember what they found valid. The strings objects carry as label keys and values, namespaces,
// references to other objects (names, image references, URLs) come from small vocabularies and repeat across
// objects, and a check of one is a pure function of it: a name check, or a CEL rule on a string that does not
// read oldSelf. So a string found valid is remembered, and a set lookup replaces the check the next time. Only
// valid strings are remembered (a failure is reported afresh each time), and memory stays bounded. Object names,
// unique by nature, are not worth it.

/** Past this many strings a memory forgets what it held. */
const CAPACITY = 1024;
/** Longer strings are not remembered (they rarely repeat, and they would hold memory). */
const MAX_LENGTH = 512;

/** Bumped by forgetAll: a memory of an older generation is empty. */
let generation = 0;

/** The strings one check found valid. */
export class Memory {
  private readonly values = new Set<string>();
  private generation = generation;

  has(value: unknown): boolean {
    if (this.generation !== generation) {
      this.values.clear();
      this.generation = generation;
    }
    return this.values.has(value as string);
  }

  /** Remembers `value`, within the bounds, if it is a string (a value ratcheting let through may not be). */
  add(value: unknown): void {
    if (typeof value !== "string" || value.length > MAX_LENGTH) return;
    if (this.values.size >= CAPACITY) this.values.clear();
    this.values.add(value);
  }
}

/** Empties every memory: what validation costs when nothing repeats (benchmarks measure it). */
export function forgetAll(): void {
  generation++;
}

/** `check` (errors for a string, none when it is valid), remembering the strings it found valid. */
export function remembered(check: (value: string) => readonly string[]): (value: string) => readonly string[] {
  const valid = new Memory();
  const none: readonly string[] = Object.freeze([]);
  return (value) => {
    if (valid.has(value)) return none;
    const errors = check(value);
    if (errors.length === 0) valid.add(value);
    return errors;
  };
}

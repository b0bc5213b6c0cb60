// Name checks that remember: the strings objects carry as label keys and values, namespaces and references to
// other objects come from small vocabularies and repeat across objects, so a check remembers the strings it found
// valid, and a set lookup replaces its patterns the next time. (Object names, unique by nature, are not worth it.)

/** Past this many strings a check forgets what it remembered (memory stays bounded). */
const CAPACITY = 4096;

/** `check` (errors for a string, none when it is valid), remembering the strings it found valid. */
export function remembered(check: (value: string) => readonly string[]): (value: string) => readonly string[] {
  const valid = new Set<string>();
  const none: readonly string[] = Object.freeze([]);
  return (value) => {
    if (valid.has(value)) return none;
    const errors = check(value);
    if (errors.length === 0) {
      if (valid.size >= CAPACITY) valid.clear();
      valid.add(value);
    }
    return errors;
  };
}

// The function registry: the overloads of a set of Libraries, merged by function name, and the run-time
// dispatchers compiled code calls (`rt.fn[key](...)`), which pick the overload whose parameter types match
// the argument values (cel-go's dynamic dispatch) or fail with "found no matching overload".
import type { Library, Overload, TypeText } from "./functions.ts";
import { celType, type Dispatcher, helpers, isMap, noSuchOverload, type Runtime, TYPE_NAMES, typeName } from "./runtime.ts";
import { celConverter } from "./schema-values.ts";
import { type CelValue, CelMap, CelType, CelUint, Duration, Optional, SetOrMapList, Timestamp } from "./values.ts";

/** The key of a call site: function name, call style and argument count (receiver not counted). */
export function callKey(name: string, receiver: boolean, args: number): string {
  return `${receiver ? "." : ""}${name}/${args}`;
}

export class Registry {
  /** Overloads by call key. */
  private readonly byKey = new Map<string, Overload[]>();
  private readonly names = new Set<string>();
  /** Type names usable as values: the standard ones and those the libraries declare. */
  readonly typeNames: ReadonlySet<string>;
  private rt: Runtime | undefined;

  constructor(libraries: readonly Library[]) {
    const ids = new Set<string>();
    for (const library of libraries) {
      for (const overload of library.overloads) {
        if (ids.has(overload.id)) throw new Error(`overload id ${overload.id} declared twice (library ${library.name})`);
        ids.add(overload.id);
        const key = callKey(overload.name, overload.receiver !== undefined, overload.params.length);
        const list = this.byKey.get(key) ?? [];
        list.push(overload);
        this.byKey.set(key, list);
        this.names.add(overload.name);
      }
    }
    this.typeNames = new Set([...TYPE_NAMES, ...libraries.flatMap((l) => l.types ?? [])]);
  }

  /** Whether any overload has this function name (in either call style). */
  hasFunction(name: string): boolean {
    return this.names.has(name);
  }

  overloads(name: string, receiver: boolean, args: number): readonly Overload[] {
    return this.byKey.get(callKey(name, receiver, args)) ?? [];
  }

  /**
   * The overload dispatch calls for arguments (receiver first) of the given types, named as `typeName` names
   * them: the first whose parameters accept them all, as the dispatchers pick.
   */
  resolve(name: string, receiver: boolean, argTypes: readonly string[]): Overload | undefined {
    return this.overloads(name, receiver, argTypes.length - (receiver ? 1 : 0)).find((o) =>
      [...(o.receiver !== undefined ? [o.receiver] : []), ...o.params].map(paramOf).every((p, i) => acceptsType(p, argTypes[i] as string)),
    );
  }

  /**
   * The `rt` object compiled code runs with: the runtime helpers and one dispatcher per call key (each made when a
   * program first binds to it, so a process pays only for the functions its rules call).
   */
  get runtime(): Runtime {
    const byId = new Map([...this.byKey.values()].flat().map((o) => [o.id, o]));
    this.rt ??= {
      ...helpers,
      fn: madeOnFirstUse(this.byKey, dispatcher),
      impls: Object.fromEntries([...this.byKey.values()].flat().map((o) => [o.id, o.impl as Dispatcher])),
      costs: madeOnFirstUse(this.byKey, costDispatcher),
      specialize: (id, constant) => {
        try {
          return byId.get(id)!.specialize!(constant as never) as Dispatcher;
        } catch (error) {
          // the program is bound now; a bad constant fails where it is used, if it is
          return () => {
            throw error;
          };
        }
      },
      types: Object.fromEntries([...this.typeNames].map((n) => [n, celType(n)])),
      converter: celConverter,
    };
    return this.rt;
  }
}

/**
 * The kinds of value dispatch tells apart with a few typeof/instanceof checks, named as in signatures;
 * values of library types (net.IP, …) are one kind, told apart by name.
 */
const KINDS = [
  "int", "double", "string", "bool", "null_type", "uint", "list", "bytes", "google.protobuf.Timestamp",
  "google.protobuf.Duration", "optional_type", "type", "map", "object",
] as const;
const OBJECT = KINDS.indexOf("object");
const ANY = (1 << KINDS.length) - 1;

/** The kinds of object values by their constructor: one lookup rather than a chain of instanceof tests. */
const KIND_BY_CONSTRUCTOR = new Map<unknown, number>([
  [Object, 12], [CelMap, 12], [undefined, 12], // plain objects, maps of other keys, objects without a prototype
  [Array, 6], [SetOrMapList, 6], [CelUint, 5], [Uint8Array, 7], [Timestamp, 8], [Duration, 9], [Optional, 10], [CelType, 11],
]);

function kindOf(v: CelValue): number {
  switch (typeof v) {
    case "bigint":
      return 0;
    case "number":
      return 1;
    case "string":
      return 2;
    case "boolean":
      return 3;
  }
  if (v === null) return 4;
  return KIND_BY_CONSTRUCTOR.get((v as object).constructor) ?? (Array.isArray(v) ? 6 : isMap(v) ? 12 : OBJECT);
}

/** What a parameter accepts: a set of kinds, and for a library type its name. */
interface Param {
  kinds: number;
  name?: string;
}

/** A parameter of a signature; parameterised types are checked at the top level only. */
function paramOf(type: TypeText): Param {
  const name = type.replace(/\(.*$/s, "").trim();
  if (name === "dyn" || /^[A-Z]$/.test(name)) return { kinds: ANY }; // dyn or a type parameter
  const kind = KINDS.indexOf(name as (typeof KINDS)[number]);
  return kind >= 0 && kind !== OBJECT ? { kinds: 1 << kind } : { kinds: 1 << OBJECT, name };
}

interface Candidate {
  impl: (...args: CelValue[]) => CelValue;
  params: readonly Param[];
}

const accepts = (p: Param, v: CelValue) => (p.kinds & (1 << kindOf(v))) !== 0 && (p.name === undefined || typeName(v) === p.name);

/** `accepts` for a value known only by its type name. */
function acceptsType(p: Param, type: string): boolean {
  const kind = KINDS.indexOf(type as (typeof KINDS)[number]);
  return (p.kinds & (1 << (kind >= 0 ? kind : OBJECT))) !== 0 && (p.name === undefined || p.name === type);
}

/** An object with a property per entry of `entries`, its value made by `make` when first read. */
function madeOnFirstUse<K extends string, V, R>(entries: ReadonlyMap<K, V>, make: (value: V) => R): Record<K, R> {
  const out = {} as Record<K, R>;
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, {
      configurable: true,
      enumerable: true,
      get: () => {
        const made = make(value);
        Object.defineProperty(out, key, { value: made, enumerable: true });
        return made;
      },
    });
  }
  return out;
}

/** What the dispatcher of the same overloads would call costs: its runtimeCost for the arguments, else 1. */
function costDispatcher(overloads: readonly Overload[]): (...args: CelValue[]) => number {
  const costs = overloads.map((o): Overload => ({ ...o, impl: ((...args: CelValue[]) => o.runtimeCost?.(args) ?? 1) as Overload["impl"] }));
  return dispatcher(costs) as (...args: CelValue[]) => number;
}

/**
 * The dispatcher of one call key: the first overload whose parameter types match the arguments. For one or
 * two arguments a table indexed by their kinds holds the overload to call, so dispatch costs a kind test per
 * argument.
 */
function dispatcher(overloads: readonly Overload[]): Dispatcher {
  const candidates: Candidate[] = overloads.map((o) => ({
    impl: o.impl as (...args: CelValue[]) => CelValue,
    params: [...(o.receiver !== undefined ? [o.receiver] : []), ...o.params].map(paramOf),
  }));
  const first = overloads[0] as Overload;
  const fail = (args: CelValue[]): never => {
    throw first.receiver !== undefined ? noSuchOverload(first.name, args.slice(1), args[0] as CelValue) : noSuchOverload(first.name, args);
  };
  const call = (list: readonly Candidate[], args: CelValue[]) => {
    for (const c of list) if (c.params.every((p, i) => accepts(p, args[i] as CelValue))) return c.impl(...args);
    return fail(args);
  };
  const arity = candidates[0]?.params.length ?? 0;
  if (candidates.length === 1 && candidates[0]?.params.every((p) => p.kinds === ANY)) return first.impl as Dispatcher;
  if (arity === 0 || arity > 2) return (...args) => call(candidates, args);
  const table = Array.from({ length: KINDS.length ** arity }, (_, index) => {
    const kinds = arity === 1 ? [index] : [Math.floor(index / KINDS.length), index % KINDS.length];
    const compatible = candidates.filter((c) => c.params.every((p, i) => (p.kinds & (1 << (kinds[i] as number))) !== 0));
    const exact = compatible[0]?.params.every((p) => p.name === undefined);
    return exact ? (compatible[0] as Candidate).impl : (...args: CelValue[]) => call(compatible, args);
  });
  if (arity === 1) return (a) => (table[kindOf(a)] as Dispatcher)(a);
  return (a, b) => (table[kindOf(a) * KINDS.length + kindOf(b)] as Dispatcher)(a, b);
}

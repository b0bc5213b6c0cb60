// Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go): s.find(re) and s.findAll(re[, n]) with
// Go's regexp semantics: RE2 syntax, leftmost-first matches, linear time. @bufbuild/re2 parses and compiles
// the pattern to RE2's instruction program but only answers whether it matches, so the match positions come
// from a small Pike VM over that program (the way Go's regexp machine runs it).
import { RE2JS } from "@bufbuild/re2";
import { addEstimates, multiplyEstimates, REGEX_STRING_LENGTH_COST_FACTOR, scaleEstimate, STRING_TRAVERSAL_COST_FACTOR, UNKNOWN_SIZE } from "../cost.ts";
import type { Library, Overload, SizeEstimate } from "../functions.ts";
import { type CelValue, CelError } from "../values.ts";
import { toJsRegExp } from "../runtime.ts";
import { actualSize } from "./actual-cost.ts";

type Program = ReturnType<ReturnType<typeof RE2JS.compile>["re2"]>["prog"];
type Instruction = Program["inst"][number];

// The instruction opcodes are static fields of re2's (unexported) instruction class.
const OP = RE2JS.compile("").re2().prog.inst[0]?.constructor as unknown as Readonly<
  Record<"ALT" | "ALT_MATCH" | "CAPTURE" | "EMPTY_WIDTH" | "FAIL" | "MATCH" | "NOP" | "RUNE" | "RUNE1" | "RUNE_ANY" | "RUNE_ANY_NOT_NL", number>
>;

// Zero-width assertions (Go's syntax.EmptyOp)
const BEGIN_LINE = 0x01;
const END_LINE = 0x02;
const BEGIN_TEXT = 0x04;
const END_TEXT = 0x08;
const WORD_BOUNDARY = 0x10;
const NO_WORD_BOUNDARY = 0x20;

const isWordRune = (r: number) => (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a) || r === 0x5f;

/** The assertions that hold between rune `before` and rune `after` (-1: the text's start or end). */
function emptyContext(before: number, after: number): number {
  let context = 0;
  if (before < 0) context |= BEGIN_TEXT | BEGIN_LINE;
  if (before === 0x0a) context |= BEGIN_LINE;
  if (after < 0) context |= END_TEXT | END_LINE;
  if (after === 0x0a) context |= END_LINE;
  context |= isWordRune(before) !== isWordRune(after) ? WORD_BOUNDARY : NO_WORD_BOUNDARY;
  return context;
}

/** The code point at `pos` and its width in UTF-16 units; -1 and 0 at the end. */
function runeAt(s: string, pos: number): [number, number] {
  const r = s.codePointAt(pos);
  if (r === undefined) return [-1, 0];
  return [r, r > 0xffff ? 2 : 1];
}

function runeBefore(s: string, pos: number): number {
  if (pos <= 0) return -1;
  const low = s.charCodeAt(pos - 1);
  return pos >= 2 && low >= 0xdc00 && low <= 0xdfff ? (s.codePointAt(pos - 2) as number) : low;
}

/** A run queue of threads: instruction and match start, each instruction at most once per step. */
class Queue {
  pcs: number[] = [];
  starts: number[] = [];
  private readonly marks: Int32Array;
  private generation = 0;

  constructor(size: number) {
    this.marks = new Int32Array(size).fill(-1);
  }

  /** Adds the threads reachable from `pc` without consuming input, in priority order. */
  add(program: Program, pc: number, start: number, context: number): void {
    const pending = [pc];
    while (pending.length > 0) {
      const at = pending.pop() as number;
      if (this.marks[at] === this.generation) continue;
      this.marks[at] = this.generation;
      const inst = program.inst[at] as Instruction;
      switch (inst.op) {
        case OP.FAIL:
          break;
        case OP.ALT:
        case OP.ALT_MATCH:
          pending.push(inst.arg, inst.out); // out first: it has priority
          break;
        case OP.EMPTY_WIDTH:
          if ((inst.arg & ~context) === 0) pending.push(inst.out);
          break;
        case OP.NOP:
        case OP.CAPTURE:
          pending.push(inst.out);
          break;
        default:
          this.pcs.push(at);
          this.starts.push(start);
      }
    }
  }

  clear(): void {
    this.pcs.length = 0;
    this.starts.length = 0;
    this.generation++;
  }
}

function consumes(inst: Instruction, r: number): boolean {
  if (r < 0) return false;
  switch (inst.op) {
    case OP.RUNE_ANY:
      return true;
    case OP.RUNE_ANY_NOT_NL:
      return r !== 0x0a;
    default:
      return inst.matchRune(r);
  }
}

/** The leftmost-first match in `s` at or after `from`, as [start, end), or undefined. */
function search(program: Program, s: string, from: number): [number, number] | undefined {
  let run = new Queue(program.inst.length);
  let next = new Queue(program.inst.length);
  let match: [number, number] | undefined;
  let previous = runeBefore(s, from);
  for (let pos = from; ; ) {
    if (run.pcs.length === 0 && match) break;
    const [r, width] = runeAt(s, pos);
    if (!match) run.add(program, program.start, pos, emptyContext(previous, r));
    const nextContext = emptyContext(r, runeAt(s, pos + width)[0]);
    for (let i = 0; i < run.pcs.length; i++) {
      const inst = program.inst[run.pcs[i] as number] as Instruction;
      const start = run.starts[i] as number;
      if (inst.op === OP.MATCH) {
        match = [start, pos];
        break; // lower-priority threads lose to this match
      }
      if (consumes(inst, r)) next.add(program, inst.out, start, nextContext);
    }
    run.clear();
    if (width === 0) break;
    pos += width;
    previous = r;
    [run, next] = [next, run];
  }
  return match;
}

interface Compiled {
  program: Program;
  /** The same pattern as a JavaScript RegExp, where the two provably find the same leftmost-first match. */
  js: RegExp | undefined;
  /** The last string find() searched, and what it found: rules often search one string for one pattern repeatedly. */
  lastInput: string | undefined;
  lastFound: string;
}

const compiled = new Map<string, Compiled | CelError>();

/** The compiled pattern (cached), or the error cel-go reports for it. */
function compile(pattern: string): Compiled {
  let entry = compiled.get(pattern);
  if (!entry) {
    try {
      entry = { program: RE2JS.compile(pattern).re2().prog, js: toJsRegExp(pattern), lastInput: undefined, lastFound: "" };
    } catch (error) {
      entry = new CelError(`Illegal regex: ${(error as Error).message}`);
    }
    if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, entry);
  }
  if (entry instanceof CelError) throw entry;
  return entry;
}

function find(s: string, pattern: string): string {
  return findIn(compile(pattern), s);
}

/** find with a pattern known in advance (a literal), compiled now (Overload.specialize). */
function finder(pattern: string): (s: string) => string {
  const compiled = compile(pattern);
  return (s) => findIn(compiled, s);
}

function findIn(compiled: Compiled, s: string): string {
  if (compiled.lastInput !== s) {
    // V8's regex engine where it agrees with RE2 (its backtracking finds the same leftmost-first match), else the VM.
    const match = compiled.js ? undefined : search(compiled.program, s, 0);
    compiled.lastFound = compiled.js ? (compiled.js.exec(s)?.[0] ?? "") : match ? s.slice(...match) : "";
    compiled.lastInput = s;
  }
  return compiled.lastFound;
}

/** Go's Regexp.FindAllString: successive non-overlapping matches; an empty match right after a match is skipped. */
function findAll(s: string, pattern: string, limit = -1n): string[] {
  const { program } = compile(pattern);
  const max = limit < 0n ? s.length + 1 : Number(limit);
  const found: string[] = [];
  let previousEnd = -1;
  for (let pos = 0; found.length < max && pos <= s.length; ) {
    const match = search(program, s, pos);
    if (!match) break;
    const [start, end] = match;
    const accept = !(end === pos && start === previousEnd);
    pos = end === pos ? pos + (runeAt(s, pos)[1] || 1) : end;
    previousEnd = end;
    if (accept) found.push(s.slice(start, end));
  }
  return found;
}

/** Regex cost (cost.go): the string's traversal times a quarter of the pattern's length. */
const regexCost = {
  cost: ([s = UNKNOWN_SIZE, pattern = UNKNOWN_SIZE]: readonly SizeEstimate[]) =>
    multiplyEstimates(
      scaleEstimate(addEstimates(s, { min: 1, max: 1 }), STRING_TRAVERSAL_COST_FACTOR),
      scaleEstimate(pattern, REGEX_STRING_LENGTH_COST_FACTOR),
    ),
  resultSize: ([s = UNKNOWN_SIZE]: readonly SizeEstimate[]) => ({ min: 0, max: s.max }),
  runtimeCost: ([s, pattern]: readonly CelValue[]) =>
    Math.ceil((1 + actualSize(s as CelValue)) * STRING_TRAVERSAL_COST_FACTOR) *
    Math.ceil(actualSize(pattern as CelValue) * REGEX_STRING_LENGTH_COST_FACTOR),
};

const method = (id: string, name: string, params: string[], result: string, impl: Overload["impl"]): Overload => ({ id, name, receiver: "string", params, result, impl, ...regexCost });

export const regex: Library = {
  name: "kubernetes.regex",
  overloads: [
    { ...method("string_find_string", "find", ["string"], "string", find), specialize: finder },
    method("string_find_all_string", "findAll", ["string"], "list(string)", (s: string, pattern: string) => findAll(s, pattern)),
    method("string_find_all_string_int", "findAll", ["string", "int"], "list(string)", findAll),
  ],
};

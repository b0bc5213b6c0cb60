// Compiling x-kubernetes-validations rules to JavaScript: the generator embeds the source in generated validators;
// compileRules makes the functions now, for CRDs the generator has not seen (a CRD given at run time, tests), with
// the same compiler, runtime and rules table. Rules are assumed checked (generator/loader).
import type { JSONSchemaProps } from "../apiextensions.ts";
import { compileProgram, type CompiledProgram } from "../cel/compile.ts";
import { registry, rt } from "../cel/environment.ts";
import { parse } from "../cel/parser.ts";
import type { CostMeter } from "../cel/runtime.ts";
import type { CelValue } from "../cel/values.ts";
import { ruleSites, type CelProgram, type CelVars } from "./cel.ts";

/**
 * A rule or messageExpression compiled over `self` and `oldSelf`, to be bound to the runtime `rt` of
 * api/cel/environment.ts; `meter`: it counts its actual cost (CompileOptions.meter).
 */
export function compileRuleExpression(expression: string, meter = false): CompiledProgram {
  return compileProgram(parse(expression), registry, { variables: ["self", "oldSelf"], meter });
}

type Evaluate = (vars: CelVars, meter?: CostMeter) => CelValue;

/**
 * Every rule of `schema` with its programs, located as the generator locates them; `meter`: programs that count
 * their actual cost, for the runtime cost limits.
 */
export function compileRules(schema: JSONSchemaProps, { meter = false } = {}): CelProgram[] {
  const programs = new Map<string, { evaluate: Evaluate; reads: ReadonlySet<string> }>();
  const programOf = (expression: string) => {
    let program = programs.get(expression);
    if (!program) {
      const { source, reads } = compileRuleExpression(expression, meter);
      program = { evaluate: (new Function(`return ${source}`)() as (runtime: typeof rt) => Evaluate)(rt), reads };
      programs.set(expression, program);
    }
    return program;
  };
  return ruleSites(schema).map(({ path, rule }) => {
    const { evaluate, reads } = programOf(rule.rule);
    const message = rule.messageExpression === undefined ? undefined : programOf(rule.messageExpression).evaluate;
    return { path, rule, usesOldSelf: reads.has("oldSelf"), evaluate, ...(message && { message }) };
  });
}

// kube-apiserver's runtime cost limits on CEL rules (k8s.io/apiserver/pkg/apis/cel): one evaluation may cost at most
// PerCallLimit (1,000,000), all evaluations for one object RuntimeCELCostBudget (10,000,000). Rules whose estimated
// costs stay within both never reach them and run unmetered; a kind whose rules could reach them is checked against
// the real costs (metered programs) as soon as its estimates could pass them. The generated walks and the generic
// walks over metered programs must agree on objects below, near and above the limits. What lets the others run
// unmetered, that an evaluation never costs more than the bound taken from the rule's estimate, is checked on every
// rule of crds/.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JSONSchemaProps } from "../../api/apiextensions.ts";
import type { CostMeter } from "../../api/cel/runtime.ts";
import type { CelProgram, CelVars } from "../../api/validation/cel.ts";
import { compileRules } from "../../api/validation/compile-rules.ts";
import { errorString } from "../../api/validation/errors.ts";
import { compileKindCode, evaluationBound, kindCodeSource } from "../../api/validation/kind-code.ts";
import { createValidator, type Validator } from "../../api/validation/validate.ts";
import { createAjv, toJsonSchema } from "../../generator/schema/json-schema.ts";
import { loadExamples } from "../support/examples.ts";
import { crdKinds } from "../support/validation.ts";
import { objectsOf } from "./arbitrary.ts";
import { ruleCases } from "./rule-cases.ts";

// A pattern of 400 characters: each match costs ceil((1 + length) / 10) * 100.
const PATTERN = `^[a-z]+$|^${"z".repeat(390)}$`;
const matchesAll = (message: string) => ({ rule: `self.all(t, t.matches('${PATTERN}'))`, message });

function validators(spec: JSONSchemaProps): { generated: Validator; generic: Validator } {
  const schema: JSONSchemaProps = { type: "object", properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec } };
  const definition = { group: "example.com", version: "v1", kind: "Widget", namespaced: true, schema, structural: createAjv().compile(toJsonSchema(schema)) };
  expect(kindCodeSource(schema)?.metered).toBe(true);
  return {
    generated: createValidator({ ...definition, walks: { code: compileKindCode(schema)! } }),
    generic: createValidator({ ...definition, walks: { rules: compileRules(schema, { meter: true }) } }),
  };
}

const widget = (spec: unknown) => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "default" }, spec });
const words = (n: number) => Array.from({ length: n }, (_, i) => `${"abcdefghij".repeat(9)}${String.fromCharCode(97 + (i % 26)).repeat(10)}`);

describe("the runtime cost budget of an object", () => {
  // Three rules over 40 groups of up to 100 words of up to 100 letters: each rule estimated at ~4.4M, 13.3M in all.
  const group: JSONSchemaProps = {
    type: "object",
    properties: { words: { type: "array", maxItems: 100, items: { type: "string", maxLength: 100 } } },
    "x-kubernetes-validations": [matchesAll("first"), matchesAll("second"), matchesAll("third")].map((r) => ({ ...r, rule: r.rule.replaceAll("self.all", "self.words.all") })),
  };
  const { generated, generic } = validators({ type: "object", properties: { groups: { type: "array", maxItems: 40, items: group } } });

  it("is not reached by an object whose rules cost less", () => {
    const object = widget({ groups: Array.from({ length: 20 }, () => ({ words: words(100) })) }); // ~6.6M
    for (const validate of [generated, generic]) expect(validate(object).errors).toEqual([]);
  });

  it("stops the rules once passed, as kube-apiserver does", () => {
    const object = widget({ groups: Array.from({ length: 40 }, () => ({ words: words(100) })) }); // ~13.2M
    const [result, reference] = [generated(object), generic(object)];
    expect(result).toEqual(reference);
    expect(result.errors.map(errorString)).toEqual([
      expect.stringMatching(/^spec\.groups\[\d+\]: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run$/),
    ]);
  });

  it("still reports what the rules found before", () => {
    const groups = Array.from({ length: 40 }, () => ({ words: words(100) }));
    groups[0] = { words: ["Capital"] };
    const result = generated(widget({ groups }));
    expect(result).toEqual(generic(widget({ groups })));
    expect(result.errors.map(errorString).slice(0, 3)).toEqual(["spec.groups[0]: Invalid value: first", "spec.groups[0]: Invalid value: second", "spec.groups[0]: Invalid value: third"]);
    expect(result.errors.at(-1)!.detail).toMatch(/running out of cost budget/);
  });
});

describe("the runtime cost limit of one evaluation", () => {
  // One rule over up to 2000 words: estimated at ~2.2M per evaluation, more than the per-call limit allows.
  const { generated, generic } = validators({ type: "object", properties: { words: { type: "array", maxItems: 2000, items: { type: "string", maxLength: 100 }, "x-kubernetes-validations": [matchesAll("lowercase only")] } } });

  it("is not reached by a value that costs less", () => {
    for (const validate of [generated, generic]) expect(validate(widget({ words: words(500) })).errors).toEqual([]);
  });

  it("cancels the evaluation past it, and no further rules run", () => {
    const object = widget({ words: words(1000) }); // ~1.1M
    const [result, reference] = [generated(object), generic(object)];
    expect(result).toEqual(reference);
    expect(result.errors.map(errorString)).toEqual([
      "spec.words: Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: lowercase only",
    ]);
  });
});

describe("an evaluation never costs more than its rule's bound (kube-apiserver's estimate, with room)", () => {
  const examples = loadExamples();
  const cases = ruleCases();
  it.each([...crdKinds()].filter(([, { schema }]) => compileRules(schema).length > 0))("%s", (key, { apiVersion, kind, namespaced, schema }) => {
    // Every rule's metered program, recording what each evaluation cost next to the rule's estimate.
    const seen: { rule: string; cost: number; bound: number }[] = [];
    const rules = compileRules(schema, { meter: true }).map((program): CelProgram => {
      const bound = evaluationBound(schema, program);
      return {
        ...program,
        evaluate: (vars: CelVars, meter?: CostMeter) => {
          try {
            return program.evaluate(vars, meter);
          } finally {
            seen.push({ rule: program.rule.rule, cost: meter!.cost, bound });
          }
        },
      };
    });
    const [group, version] = apiVersion.split("/") as [string, string];
    const validate = createValidator({ group, version, kind, namespaced, schema, structural: createAjv().compile(toJsonSchema(schema)), walks: { rules } });
    for (const { object } of examples.filter((e) => `${e.object.apiVersion}/${e.object.kind}` === key)) validate(object);
    for (const c of cases.filter((c) => c.kind === key)) {
      validate(c.valid);
      validate(c.object, c.old);
    }
    fc.assert(fc.property(objectsOf(apiVersion, kind, schema), (object) => void validate(object)), { numRuns: 100 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter(({ cost, bound }) => cost > bound)).toEqual([]);
  });
});

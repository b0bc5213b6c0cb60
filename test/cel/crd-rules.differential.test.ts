// Every CEL rule of crds/, on every value the validation tests give it (rule-cases.ts: each kind's example, created
// and updated unchanged, and the objects that violate each rule, created or updated), run twice: by the program the
// generator compiled into the kind's validator, and by the reference interpreter @bufbuild/cel with the Kubernetes
// functions the rules call registered on it, wrapping the same api/cel/lib implementations (crd-rules.reference.ts).
// Both must agree on every evaluation: the same bool, or both an error.
import { describe, expect, it } from "vitest";
import type { CelProgram, CelVars } from "../../api/validation/cel.ts";
import { createValidator } from "../../api/validation/validate.ts";
import { crdKinds, generatedDefinition } from "../support/validation.ts";
import { ruleCases } from "../validation/rule-cases.ts";
import { standaloneModules } from "../validation/standalone-modules.ts";
import { kubernetesOverloads, referenceInterpreter } from "./crd-rules.reference.ts";

// ---- The evaluations: every program call the validation of the rule cases makes, recorded

interface Evaluation {
  program: CelProgram;
  vars: CelVars;
  result: Outcome;
}

type Outcome = { value: unknown } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const evaluations: Evaluation[] = [];
const kinds = crdKinds();
const recording = new Map([...kinds].map(([key, { apiVersion, kind }]) => {
  const standalone = standaloneModules[apiVersion]!;
  const rules = (standalone[`${kind}Rules`] as CelProgram[]).map((program): CelProgram => ({
    ...program,
    evaluate: (vars) => {
      const result = outcome(() => program.evaluate(vars));
      evaluations.push({ program, vars, result });
      if ("error" in result) throw new Error(result.error);
      return result.value;
    },
  }));
  return [key, createValidator({ ...generatedDefinition(apiVersion, kind), walks: { rules } })];
}));
const cases = ruleCases();
for (const c of cases) {
  const validate = recording.get(c.kind)!;
  validate(c.valid);
  validate(c.valid, c.valid); // an update that changes nothing: transition rules pass
  validate(c.object, c.old);
}

const expressions = [...new Set(cases.map((c) => c.rule.rule))];
const interpret = referenceInterpreter(expressions);

// ---- The comparison

describe("every CRD rule: compiled program and @bufbuild/cel agree", () => {
  it("evaluates every rule of every CRD, both passing and failing", () => {
    const sites = [...kinds.values()].flatMap(({ apiVersion, kind }) => standaloneModules[apiVersion]![`${kind}Rules`] as CelProgram[]);
    const outcomes = (p: CelProgram, value: boolean) => evaluations.some((e) => e.program === p && "value" in e.result && e.result.value === value);
    expect(sites.filter((p) => !outcomes(p, true) || !outcomes(p, false)).map((p) => p.rule.rule)).toEqual([]);
    expect(sites).toHaveLength(cases.length);
  });

  it("registers the Kubernetes functions the rules call on @bufbuild/cel", () => {
    expect(kubernetesOverloads(expressions).map((o) => o.id).sort()).toEqual([
      "format-validate", "format.dns1123Label", "format.dns1123Subdomain", "is_url_string", "optional_hasValue",
      "string_find_string", "string_substring_int", "string_to_url", "url_get_hostname", "url_get_scheme",
    ].sort());
  });

  describe.each(expressions)("%s", (rule) => {
    const ofRule = evaluations.filter((e) => e.program.rule.rule === rule);
    it(`agrees on all ${ofRule.length} evaluations`, () => {
      expect(ofRule.length).toBeGreaterThan(0);
      for (const { vars, result } of ofRule) {
        const theirs = outcome(() => interpret(rule, vars));
        if ("error" in theirs) expect(result, `@bufbuild/cel: ${theirs.error}`).toHaveProperty("error");
        else expect(result).toEqual(theirs);
      }
    });
  });
});

// How fast a Proposal validates, on the Proposals of examples/, measured in the same run: the generated ajv
// standalone function alone (structural checks only), the generated validator (pruning, defaulting, metadata,
// structure, list types and every CEL rule: the kind's walks generated from its schema, rules compiled to
// JavaScript over JSON; CRDs given at run time get the same walks, made in memory), the generic walks with the same
// compiled rules (for a schema the generated walks do not handle), and the generic walks with the rules interpreted
// by @bufbuild/cel instead. Validation remembers the strings it found valid (api/validation/remembered.ts): on
// these objects, validated over and over, every such string repeats; a fifth figure has every memory emptied
// before each object, what a stream of objects that share no such string costs. Last, a stream of 1,000 copies of
// the examples, each with a name of its own (names are not remembered), against ajv on the same copies.
import type { CelProgram } from "../api/validation/cel.ts";
import { forgetAll } from "../api/validation/remembered.ts";
import { createValidator } from "../api/validation/validate.ts";
import { proposalDefinition, validateProposal } from "../generated/agentic.openshift.io/v1alpha1/validators.ts";
import * as standalone from "../generated/agentic.openshift.io/v1alpha1/validators/standalone.js";
import { interpretedRules } from "../test/cel/crd-rules.reference.ts";
import { loadExamples } from "../test/support/examples.ts";

/**
 * Objects validated per second by each validator: after a warm-up, rounds of about `ms` each, the validators taking
 * turns (so a busy machine slows them alike), and the best round of each.
 */
function rates<K extends string>(validators: Record<K, (object: unknown) => unknown>, objects: readonly unknown[], rounds = 6, ms = 300): Record<K, number> {
  const best = {} as Record<K, number>;
  for (let round = 0; round <= rounds; round++) {
    for (const [name, validate] of Object.entries(validators) as [K, (object: unknown) => unknown][]) {
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        for (const object of objects) validate(object);
        n += objects.length;
      }
      const perSecond = n / ((performance.now() - start) / 1000);
      if (round > 0) best[name] = Math.max(best[name] ?? 0, perSecond); // round 0 warms up
    }
  }
  return best;
}

export async function benchValidate(): Promise<void> {
  const proposals = loadExamples().filter(({ object }) => object.kind === "Proposal").map(({ object }) => object);
  const generic = createValidator({ ...proposalDefinition, walks: { rules: standalone.ProposalRules } });
  const interpreted = createValidator({ ...proposalDefinition, walks: { rules: interpretedRules(standalone.ProposalRules as readonly CelProgram[]) } });
  for (const proposal of proposals) {
    const [compiled, ...others] = [validateProposal(proposal), generic(proposal), interpreted(proposal)];
    if (compiled.errors.length > 0 || others.some((other) => JSON.stringify(compiled) !== JSON.stringify(other))) throw new Error(`${proposal.metadata.name}: the validators disagree`);
  }
  console.log(`validate: ${proposals.length} Proposals from examples/, ${standalone.ProposalRules.length} CEL rules`);
  const { structural, full, interpreter } = rates({ structural: (o) => standalone.Proposal(o), full: validateProposal, interpreter: interpreted }, proposals);
  // Apart: in the rounds above, a fourth validator's objects would multiply the shapes the others' code sees.
  const { engine } = rates({ engine: generic }, proposals);
  const { structural: again, cold } = rates({
    structural: (o) => standalone.Proposal(o),
    cold: (o) => {
      forgetAll();
      return validateProposal(o);
    },
  }, proposals);
  const stream = proposals.flatMap((proposal) =>
    Array.from({ length: 200 }, (_, i) => ({ ...structuredClone(proposal), metadata: { ...proposal.metadata, name: `${proposal.metadata.name}-${i}` } })));
  const copies = rates({ structural: (o) => standalone.Proposal(o), full: validateProposal }, stream);
  const width = 80;
  const line = (name: string, perSecond: number) => console.log(`  ${name.padEnd(width)}  ${Math.round(perSecond).toLocaleString("en-US").padStart(11)} objects/s`);
  line("structural only (generated ajv standalone function)", structural);
  line("full validation, CEL compiled (generated validator)", full);
  line("full validation, CEL compiled (generated validator), nothing remembered (apart)", cold);
  line("full validation, CEL compiled (generic walks; apart)", engine);
  line("full validation, CEL interpreted (@bufbuild/cel, generic walks)", interpreter);
  line(`structural only, on a stream of ${stream.length} copies with names of their own (apart)`, copies.structural);
  line(`full validation, generated validator, on the same stream`, copies.full);
  console.log(`  full / structural only: ${(full / structural).toFixed(2)}x (target at least 0.5x); nothing remembered: ${(cold / again).toFixed(2)}x; on the stream: ${(copies.full / copies.structural).toFixed(2)}x`);
  console.log(`  compiled / interpreted: ${(full / interpreter).toFixed(1)}x (target at least 20x)`);
}

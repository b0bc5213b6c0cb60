// The analysis output schema of a Proposal (agentic-api.md §13.2.3): the generated Default or Minimal base,
// with the option properties and `required` list its steps call for, and its analysisOutput.schema
// injected as the required `components` of every option.

export type JsonSchema = { [keyword: string]: unknown };

/** The parts of a Proposal spec the analysis schema depends on. */
export interface AnalysisShape {
  analysisOutput?: { mode?: "Default" | "Minimal"; schema?: Record<string, unknown> };
  execution?: object;
  verification?: object;
}

export interface AnalysisBases {
  /** Every built-in option property, required: title, diagnosis, proposal. */
  default: JsonSchema;
  /** Only the title. */
  minimal: JsonSchema;
}

export function buildAnalysisOutputSchema(bases: AnalysisBases, spec: AnalysisShape): JsonSchema {
  const minimal = spec.analysisOutput?.mode === "Minimal";
  const schema = structuredClone(minimal ? bases.minimal : bases.default);
  const option = optionSchema(schema);
  const builtIn = optionSchema(bases.default).properties as Record<string, JsonSchema>;
  const properties = option.properties as Record<string, JsonSchema>;
  const required = minimal ? ["title"] : ["title", "diagnosis", "proposal"];
  if (spec.execution) {
    if (minimal) {
      properties.proposal = structuredClone(builtIn.proposal!);
      properties.rbac = structuredClone(builtIn.rbac!);
      required.push("proposal");
    }
    required.push("rbac");
  }
  if (spec.verification) {
    if (minimal) properties.verification = structuredClone(builtIn.verification!);
    required.push("verification");
  }
  if (spec.analysisOutput?.schema) {
    properties.components = structuredClone(spec.analysisOutput.schema);
    required.push("components");
  }
  option.required = [];
  requireProperties(option, required);
  return schema;
}

/**
 * Adds `names` to the required properties of an object schema. Their descriptions come from the CRD, where the
 * fields may be optional: an "Optional (…)" there would tell the agent otherwise, so it reads "Required".
 */
export function requireProperties(object: JsonSchema, names: readonly string[]): void {
  const required = (object.required as string[] | undefined) ?? [];
  object.required = [...required, ...names.filter((name) => !required.includes(name))];
  for (const name of names) {
    const property = (object.properties as Record<string, JsonSchema>)[name];
    if (typeof property?.description === "string") property.description = property.description.replace(/\bOptional(?: \([^)]*\))?(?=[;.,])/, "Required");
  }
}

function optionSchema(schema: JsonSchema): JsonSchema {
  return ((schema.properties as Record<string, JsonSchema>).options!.items as JsonSchema);
}
